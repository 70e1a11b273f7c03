// The maps of places (issue #20, docs/maps.md): a server-drawn SVG map (templates/_placemap.html
// `place_map`) becomes a Leaflet map over the tile server of the site's settings, with the
// same points, read from the markup: each point's link, name and coordinates (data-lat,
// data-lon). Each marker is that link (focusable, Enter opens the item). Without JavaScript,
// without Leaflet (static/vendor, from npm) or without a tile server (no data-tiles), the SVG
// stays; the list of places below the map is the text alternative either way.
(function () {
  "use strict";

  // Shared with map-pick.js: a Leaflet map over the town's box of `holder`'s data attributes.
  function tileMap(element, data) {
    var box = L.latLngBounds(
      [parseFloat(data.south), parseFloat(data.west)],
      [parseFloat(data.north), parseFloat(data.east)]
    );
    var map = L.map(element, {
      zoomControl: false,
      attributionControl: false,
      maxBounds: box.pad(0.5),
      minZoom: 9,
      zoomSnap: 0.25  // the town fills the map, whatever its size
    });
    L.control.zoom({zoomInTitle: data.zoomIn, zoomOutTitle: data.zoomOut}).addTo(map);
    var credit = document.createElement("span");
    credit.textContent = data.attribution || "";  // plain text, never markup
    L.control.attribution({prefix: '<a href="https://leafletjs.com">Leaflet</a>'})
      .addAttribution(credit.innerHTML).addTo(map);
    // the tile server learns the site's origin, never the page (OpenStreetMap's tile policy
    // asks for a Referer; the site's own policy, same-origin, would send none)
    L.tileLayer(data.tiles, {maxZoom: 19, referrerPolicy: "strict-origin"}).addTo(map);
    map.fitBounds(box);
    return {map: map, box: box};
  }
  window.participationTileMap = tileMap;

  function marker(point) {
    var lat = parseFloat(point.getAttribute("data-lat"));
    var lon = parseFloat(point.getAttribute("data-lon"));
    if (isNaN(lat) || isNaN(lon)) { return null; }
    var href = point.getAttribute("href");
    var name = point.getAttribute("aria-label") || "";
    var element;
    if (href) {  // the marker is the item's link: focusable, named, opened with Enter
      element = document.createElement("a");
      element.href = href;
      element.setAttribute("aria-label", name);
      element.title = name;
    } else {
      element = document.createElement("span");
    }
    element.className = "map-marker-dot";
    return L.marker([lat, lon], {
      icon: L.divIcon({html: element, className: "map-marker", iconSize: [28, 28]}),
      keyboard: false,  // the link inside is what takes the focus
      interactive: Boolean(href)
    });
  }

  function upgrade(figure) {
    var data = figure.dataset;
    var svg = figure.querySelector("svg");
    if (!data.tiles || !svg || figure.classList.contains("map-tiled")) { return; }
    var points = Array.prototype.slice.call(svg.querySelectorAll("[data-lat][data-lon]"));
    var holder = document.createElement("div");
    holder.className = "tile-map";
    holder.setAttribute("role", "group");
    var title = svg.querySelector("title");
    if (title) { holder.setAttribute("aria-label", title.textContent); }
    figure.insertBefore(holder, svg);
    svg.parentNode.removeChild(svg);
    figure.classList.add("map-tiled");
    var made = tileMap(holder, data);
    var placed = [];
    points.forEach(function (point) {
      var m = marker(point);
      if (m) { m.addTo(made.map); placed.push(m.getLatLng()); }
    });
    if (figure.classList.contains("place-map-small") && placed.length === 1) {
      made.map.setView(placed[0], 15);
    } else if (placed.length > 1) {
      made.map.fitBounds(L.latLngBounds(placed).pad(0.15), {maxZoom: 16});
    }
  }

  function upgradeAll(root) {
    if (!window.L) { return; }
    root.querySelectorAll("figure[data-tiles]").forEach(upgrade);
  }
  document.addEventListener("DOMContentLoaded", function () { upgradeAll(document); });
  // a map swapped in by htmx (filters) is upgraded too
  document.addEventListener("htmx:afterSettle", function (event) { upgradeAll(event.target); });
})();
