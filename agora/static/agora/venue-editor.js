// The venue editor: the outline and each zone drawn on the map with Leaflet.draw. Drag the
// corners to reshape a layer, or draw a new polygon for the layer chosen under the map; the
// GeoJSON goes into the form's hidden fields, so the server checks and keeps GeoJSON.
(function () {
  var el = document.getElementById("venue-editor");
  if (!el || !window.L || !L.Control.Draw) return;
  var outlineField = document.getElementById("id_geometry");
  var zonesField = document.getElementById("id_zones");
  var target = document.getElementById("draw-target");
  var zones = JSON.parse(document.getElementById("venue-zones").textContent);
  // the draw toolbar's words in the page's language (Leaflet.draw ships English only)
  var words = JSON.parse(document.getElementById("draw-words").textContent);
  L.drawLocal.draw.toolbar.buttons.polygon = words.polygon;
  L.drawLocal.draw.toolbar.actions = { title: words.cancel, text: words.cancel };
  L.drawLocal.draw.toolbar.finish = { title: words.finish, text: words.finish };
  L.drawLocal.draw.toolbar.undo = { title: words.undo, text: words.undo };
  L.drawLocal.edit.toolbar.buttons.edit = words.edit;
  L.drawLocal.edit.toolbar.buttons.editDisabled = words.edit;
  L.drawLocal.edit.toolbar.actions.save = { title: words.save, text: words.save };
  L.drawLocal.edit.toolbar.actions.cancel = { title: words.cancel, text: words.cancel };
  L.drawLocal.edit.handlers.edit.tooltip = { text: words.drag, subtext: words.undo_all };
  L.drawLocal.draw.handlers.polygon.tooltip = { start: words.start, cont: words.cont, end: words.end };
  var map = L.map(el, { scrollWheelZoom: false });
  if (el.dataset.tiles) {
    L.tileLayer(el.dataset.tiles, { maxZoom: 20, attribution: "&copy; OpenStreetMap contributors" }).addTo(map);
  }
  var editable = new L.FeatureGroup().addTo(map);
  var layers = {}; // "outline" or a zone slug -> polygon layer
  var zoneValues = {};

  function polygonOf(geometry, style, key) {
    var group = L.geoJSON(geometry, { style: style });
    var layer = group.getLayers()[0];
    layer.key = key;
    editable.addLayer(layer);
    layers[key] = layer;
    return layer;
  }
  function save() {
    outlineField.value = JSON.stringify(layers.outline.toGeoJSON().geometry);
    zones.forEach(function (z) {
      if (layers[z.slug]) zoneValues[z.slug] = layers[z.slug].toGeoJSON().geometry;
    });
    zonesField.value = JSON.stringify(zoneValues);
  }

  polygonOf(JSON.parse(outlineField.value), { color: "#0b5394", weight: 3, fillOpacity: 0.15 }, "outline");
  zones.forEach(function (z) {
    if (z.geometry) {
      polygonOf(z.geometry, { color: "#b45309", weight: 2, dashArray: "4 4", fillOpacity: 0.1 }, z.slug)
        .bindTooltip(z.name);
    }
  });
  function fit() {
    map.invalidateSize();
    map.fitBounds(editable.getBounds(), { padding: [20, 20] });
  }
  fit();
  window.addEventListener("load", fit); // once the page has its layout, the map its size
  map.addControl(
    new L.Control.Draw({
      draw: { polygon: { allowIntersection: false, showArea: true }, polyline: false, rectangle: false,
              circle: false, marker: false, circlemarker: false },
      edit: { featureGroup: editable, remove: false },
    })
  );
  map.on(L.Draw.Event.CREATED, function (e) {
    var key = target.value;
    if (layers[key]) editable.removeLayer(layers[key]);
    e.layer.key = key;
    layers[key] = e.layer;
    editable.addLayer(e.layer);
    save();
  });
  map.on(L.Draw.Event.EDITED, save);
  el.classList.add("ready");
})();
