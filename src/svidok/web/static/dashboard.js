// Map of incidents: Leaflet with leaflet.markercluster. Markers at identical coordinates stay
// distinguishable: at the last zoom level a cluster spreads its markers apart ("spiderfy").
(function () {
  "use strict";
  var el = document.getElementById("map");
  var data = document.getElementById("markers");
  if (!el || !data || typeof L === "undefined") { return; }
  var markers = JSON.parse(data.textContent || "[]");
  var map = L.map(el, { keyboard: true, attributionControl: false, minZoom: 3, maxZoom: 18 }).setView([48.5, 31.5], 6);
  // No tile layer: the embedded deployment works offline; a tile server can be configured later.
  var group = L.markerClusterGroup({ spiderfyOnMaxZoom: true, showCoverageOnHover: false, zoomToBoundsOnClick: true });
  var icon = L.divIcon({ className: "inc-marker", html: "<span aria-hidden='true'>●</span>", iconSize: [18, 18] });
  markers.forEach(function (m) {
    var mk = L.marker([m.lat, m.lon], { title: m.title, alt: m.title, keyboard: true, icon: icon });
    var p = document.createElement("span");
    p.textContent = m.title + " (" + m.type + ")";
    mk.bindPopup(p);
    group.addLayer(mk);
  });
  map.addLayer(group);
  if (markers.length) { map.fitBounds(group.getBounds(), { padding: [20, 20], maxZoom: 12 }); }
  el.dataset.markers = String(markers.length);
}());
