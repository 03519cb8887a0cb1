// Map of incidents: Leaflet with leaflet.markercluster. Markers at identical coordinates stay
// distinguishable: at the last zoom level a cluster spreads its markers apart ("spiderfy").
// The markers are loaded as JSON from the address in the map's data-src (the same incidents
// as the page's counts); data-markers holds their number once they are on the map.
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || !el.dataset.src || typeof L === "undefined") { return; }
  var map = L.map(el, { keyboard: true, attributionControl: false, minZoom: 3, maxZoom: 18 }).setView([48.5, 31.5], 6);
  // No tile layer: the embedded deployment works offline; a tile server can be configured later.
  var group = L.markerClusterGroup({ spiderfyOnMaxZoom: true, showCoverageOnHover: false, zoomToBoundsOnClick: true, chunkedLoading: true });
  var icon = L.divIcon({ className: "inc-marker", html: "<span aria-hidden='true'>●</span>", iconSize: [18, 18] });
  map.addLayer(group);
  fetch(el.dataset.src, { credentials: "same-origin", headers: { "Accept": "application/json" } })
    .then(function (r) {
      if (!r.ok) { throw new Error("markers: HTTP " + r.status); }
      return r.json();
    })
    .then(function (markers) {
      var layers = markers.map(function (m) {
        var mk = L.marker([m.lat, m.lon], { title: m.title, alt: m.title, keyboard: true, icon: icon });
        var p = document.createElement("span");
        p.textContent = m.title + " (" + m.type + ")";
        mk.bindPopup(p);
        return mk;
      });
      group.addLayers(layers);
      if (markers.length) { map.fitBounds(L.latLngBounds(markers.map(function (m) { return [m.lat, m.lon]; })), { padding: [20, 20], maxZoom: 12 }); }
      el.dataset.markers = String(markers.length);
    })
    .catch(function (err) {
      el.dataset.markers = "error";
      el.setAttribute("aria-busy", "false");
      if (window.console) { window.console.warn(err); }
    });
}());
