// The forms' place (proposal, project, meeting, report: templates/_placemap.html
// `point_fields`): click the map to fill in the latitude and longitude fields. Only an aid:
// without JavaScript (or with a keyboard) the fields are the way, and the server checks the
// point is inside the town (participation/territory.py).
// With a tile server (data-tiles) and Leaflet, the map is Leaflet's over the tiles
// (static/js/place-map.js: participationTileMap), the town's box drawn on it; else the outline
// of the town drawn by the server, whose projection is the inverse of territory.Frame.point.
(function () {
  "use strict";
  function setUpTiles(box) {
    var latitude = document.getElementById("latitude");
    var longitude = document.getElementById("longitude");
    var svg = box.querySelector("svg");
    if (!latitude || !longitude || !svg) { return; }
    var holder = document.createElement("div");
    holder.className = "tile-map tile-map-pick";
    holder.setAttribute("aria-hidden", "true");  // the fields are the way with a keyboard
    svg.parentNode.replaceChild(holder, svg);
    box.hidden = false;
    box.classList.add("map-pick-ready");
    var made = window.participationTileMap(holder, box.dataset);
    holder.tabIndex = -1;  // hidden from assistive technology: out of the tab order too
    holder.querySelectorAll("a, [tabindex]").forEach(function (el) {
      el.setAttribute("tabindex", "-1");
    });
    // the town's box drawn, with a little of its surroundings around it
    L.rectangle(made.box, {interactive: false, fill: false, weight: 3, className: "map-town-box"})
      .addTo(made.map);
    made.map.fitBounds(made.box.pad(0.08));
    var marker = null;
    function place(lat, lon) {
      if (marker) { marker.setLatLng([lat, lon]); return; }
      marker = L.circleMarker([lat, lon], {radius: 9, interactive: false, className: "map-marker-picked"})
        .addTo(made.map);
    }
    function fromFields() {
      var lat = parseFloat(latitude.value.replace(",", "."));
      var lon = parseFloat(longitude.value.replace(",", "."));
      if (!isNaN(lat) && !isNaN(lon) && made.box.contains([lat, lon])) { place(lat, lon); }
    }
    fromFields();
    latitude.addEventListener("change", fromFields);
    longitude.addEventListener("change", fromFields);
    made.map.on("click", function (event) {
      if (!made.box.contains(event.latlng)) { return; }  // outside the town: refused anyway
      latitude.value = event.latlng.lat.toFixed(6);
      longitude.value = event.latlng.lng.toFixed(6);
      place(event.latlng.lat, event.latlng.lng);
    });
  }
  function setUp(box) {
    if (box.dataset.tiles && window.L && window.participationTileMap) {
      return setUpTiles(box);
    }
    var svg = box.querySelector("svg");
    var latitude = document.getElementById("latitude");
    var longitude = document.getElementById("longitude");
    if (!svg || !latitude || !longitude) { return; }
    var d = box.dataset;
    var south = parseFloat(d.south), west = parseFloat(d.west);
    var north = parseFloat(d.north), east = parseFloat(d.east);
    var width = parseFloat(d.width), height = parseFloat(d.height);
    var margin = parseFloat(d.margin);
    var marker = document.createElementNS("http://www.w3.org/2000/svg", "circle");
    marker.setAttribute("r", "10");
    marker.setAttribute("class", "map-marker");
    function place(lat, lon) {
      marker.setAttribute("cx", margin + (lon - west) / (east - west) * width);
      marker.setAttribute("cy", margin + (north - lat) / (north - south) * height);
      if (!marker.parentNode) { svg.appendChild(marker); }
    }
    var lat0 = parseFloat(latitude.value), lon0 = parseFloat(longitude.value);
    if (!isNaN(lat0) && !isNaN(lon0)) { place(lat0, lon0); }
    svg.addEventListener("click", function (event) {
      var point = svg.createSVGPoint();
      point.x = event.clientX;
      point.y = event.clientY;
      var at = point.matrixTransform(svg.getScreenCTM().inverse());
      var x = Math.min(Math.max(at.x - margin, 0), width);
      var y = Math.min(Math.max(at.y - margin, 0), height);
      var lon = west + x / width * (east - west);
      var lat = north - y / height * (north - south);
      latitude.value = lat.toFixed(6);
      longitude.value = lon.toFixed(6);
      place(lat, lon);
    });
    box.hidden = false;
    box.classList.add("map-pick-ready");
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-map-pick]").forEach(setUp);
  });
})();
