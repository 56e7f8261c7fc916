// The map pages' one script (served from our origin: the pages'
// Content-Security-Policy allows no inline script). It asks the server for
// the reports in view: the server clusters them (tens of thousands stay a
// few hundred markers), so the browser never holds every report.
(function () {
  "use strict";
  var el = document.getElementById("map");
  var status = document.getElementById("map-status");
  if (!el || !window.L) {
    if (status) status.textContent = "Không tải được bản đồ / The map could not load.";
    return;
  }
  var vi = (document.documentElement.lang || "vi") !== "en";
  var b = el.dataset.bounds.split(",").map(Number);
  var map = L.map(el, { preferCanvas: false, zoomSnap: 1 });
  map.fitBounds([[b[1], b[0]], [b[3], b[2]]]);
  if (el.dataset.tiles) {
    // Without the network (tests, a lost link) the tiles fail quietly and
    // the reports and boundaries still show.
    L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution, maxZoom: 19 }).addTo(map);
  }
  fetch("/api/v1/district/boundaries")
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (g) {
      if (!g) return;
      L.geoJSON(g, {
        style: { color: "#444", weight: 1, fill: false, dashArray: "4 3" },
        interactive: false
      }).addTo(map);
    })
    .catch(function () {});
  var layer = L.layerGroup().addTo(map);
  var colours = { open: "#0b5cad", overdue: "#a40e26", closed: "#1b7a3a" };
  // The page's own filters (the form above the map submits to this page).
  var filters = new URLSearchParams(window.location.search);
  var seq = 0;
  function load() {
    var q = new URLSearchParams(filters);
    q.set("bbox", map.getBounds().toBBoxString());
    q.set("zoom", String(map.getZoom()));
    var mine = ++seq;
    fetch(el.dataset.api + "?" + q.toString(), { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
      .then(function (v) { if (mine === seq) draw(v); })
      .catch(function (e) {
        if (window.console) console.error("map: " + e);
        status.textContent = vi ? "Không tải được phản ánh; thử lại sau." : "Could not load the reports; try again later.";
      });
  }
  function draw(v) {
    layer.clearLayers();
    v.clusters.forEach(function (c) {
      // Coloured by most of its reports; a red ring if any is overdue.
      var most = c.closed >= c.open && c.closed >= c.overdue ? "closed" : (c.overdue >= c.open ? "overdue" : "open");
      var worst = most + (c.overdue > 0 ? " has-overdue" : "");
      var size = c.count < 10 ? 34 : c.count < 100 ? 42 : c.count < 1000 ? 50 : 58;
      var label = c.count + (vi ? " phản ánh" : " reports") + (c.overdue ? (vi ? ", " + c.overdue + " quá hạn" : ", " + c.overdue + " overdue") : "");
      var m = L.marker([c.lat, c.lon], {
        icon: L.divIcon({ className: "cluster " + worst, html: String(c.count), iconSize: [size, size] }),
        title: label, alt: label, keyboard: true
      });
      m.on("click", function () { map.setView([c.lat, c.lon], Math.min(map.getZoom() + 2, 19)); });
      layer.addLayer(m);
    });
    v.reports.forEach(function (r) {
      var m = L.circleMarker([r.lat, r.lon], {
        radius: 9, color: "#fff", weight: 2, fillColor: colours[r.state] || colours.open, fillOpacity: 1,
        className: "report " + r.state
      });
      var a = document.createElement("a");
      a.href = el.dataset.report + encodeURIComponent(r.code);
      a.textContent = r.code;
      m.bindPopup(a);
      layer.addLayer(m);
    });
    el.dataset.total = String(v.total);
    el.dataset.markers = String(v.clusters.length + v.reports.length);
    status.textContent = vi
      ? v.total + " phản ánh trong vùng đang xem."
      : v.total + " reports in view.";
  }
  map.on("moveend", load);
  load();
})();
