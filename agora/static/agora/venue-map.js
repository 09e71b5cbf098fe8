// The venue map: the outline from GeoJSON, on map tiles when a tile server is configured
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
  map.fitBounds(outline.getBounds(), { padding: [20, 20] });
  el.classList.add("ready");
})();
