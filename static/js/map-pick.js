// Signalements' report form: click the outline of the town to fill in the latitude and
// longitude fields. Only an aid: without JavaScript (or with a keyboard) the fields are the
// way, and the server checks the point is inside the town (signalements/domain.py).
// The projection is the inverse of signalements.domain.Frame.point.
(function () {
  "use strict";
  function setUp(box) {
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
