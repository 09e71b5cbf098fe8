// The venue map: the outline and its zones from GeoJSON, on map tiles when a tile server is configured
// and reachable. Without tiles the outline still shows; without JavaScript the page shows
// the inline SVG outline instead.
(function () {
  var el = document.getElementById("venue-map");
  if (!el || !window.L) return;
  var geometry = JSON.parse(document.getElementById("venue-geometry").textContent);
  var map = L.map(el, { scrollWheelZoom: false });
  var tiles = el.dataset.tiles;
  if (tiles) {
    L.tileLayer(tiles, { maxZoom: 19, attribution: "&copy; OpenStreetMap contributors" }).addTo(map);
  }
  var outline = L.geoJSON(geometry, { style: { color: "#0b5394", weight: 3, fillOpacity: 0.2 } }).addTo(map);
  // each zone outlined and named, so "the east half" means one place on the ground
  var zones = JSON.parse(document.getElementById("venue-zones").textContent);
  L.geoJSON(zones, {
    style: { color: "#7a3e00", weight: 2, dashArray: "6 4", fillOpacity: 0 },
    onEachFeature: function (feature, layer) {
      layer.bindTooltip(feature.properties.name, { permanent: true, direction: "center", className: "zone-label" });
    },
  }).addTo(map);
  map.fitBounds(outline.getBounds(), { padding: [20, 20] });
  el.classList.add("ready");
})();
