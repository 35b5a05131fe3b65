/* dispatch-opt dispatcher views: draws the route map (Leaflet) and wires the schedule
   board's hover details and the route legend. Every string from the plan goes into the
   page through textContent, never as markup. */
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("dispatch-data").textContent);

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function popup(title, rows) {
    var box = el("div", "pop");
    box.appendChild(el("div", "pop-title", title));
    var table = el("table");
    rows.forEach(function (row) {
      var tr = el("tr");
      tr.appendChild(el("th", null, row[0]));
      tr.appendChild(el("td", null, row[1]));
      table.appendChild(tr);
    });
    box.appendChild(table);
    return box;
  }

  function icon(cls, text, color, border) {
    var node = el("div", "mk " + cls, text);
    if (color) { node.style.background = color; }
    if (border) { node.style.borderColor = border; }
    return L.divIcon({ html: node, className: "mk-wrap", iconSize: [22, 22], iconAnchor: [11, 11],
                       popupAnchor: [0, -10] });
  }

  function addTiles(map, notice) {
    var plain = L.layerGroup();
    var t = data.tiles;
    var link = document.createElement("a");
    link.href = t.copyright;
    link.textContent = t.attribution;
    var tiles = L.tileLayer(t.url, { maxZoom: 19, attribution: link.outerHTML });
    var failures = 0;
    tiles.on("tileerror", function () {
      failures += 1;
      if (failures === 3 && map.hasLayer(tiles)) {
        map.removeLayer(tiles);
        plain.addTo(map);
        notice.textContent = "Map background unavailable (offline?): routes are shown without it.";
      }
    });
    if (navigator.onLine) {
      tiles.addTo(map);
    } else {
      plain.addTo(map);
      notice.textContent = "Offline: routes are shown without a map background.";
    }
    return { "OpenStreetMap": tiles, "No background": plain };
  }

  function drawRoute(route, bounds) {
    var group = L.featureGroup();
    if (route.path.length > 1 && route.used) {
      L.polyline(route.path, { color: route.color, weight: 3, opacity: 0.85,
                               className: "route-line" }).addTo(group);
    }
    route.stops.forEach(function (stop) {
      if (!route.used && stop.kind === "end") { return; }
      var cls = "mk-" + stop.kind + (stop.late ? " mk-late" : "");
      var color = stop.kind === "ticket" ? route.color : null;
      var border = stop.kind === "start" || stop.kind === "end" ? route.color : null;
      L.marker(stop.at, { icon: icon(cls, stop.mark, color, border), title: stop.title })
        .bindPopup(popup(stop.title, stop.rows)).addTo(group);
      bounds.push(stop.at);
    });
    return group;
  }

  function drawMap() {
    var notice = document.getElementById("map-notice");
    if (!window.L) {
      notice.textContent = "The map script did not load.";
      return {};
    }
    var map = L.map("map", { zoomSnap: 0.25 });
    var bases = addTiles(map, notice);
    var bounds = [];
    var groups = {};
    data.routes.forEach(function (route) {
      groups[route.tech] = drawRoute(route, bounds).addTo(map);
    });
    var depots = L.featureGroup();
    data.depots.forEach(function (d) {
      L.marker(d.at, { icon: icon("mk-site", "D"), title: "depot " + d.id })
        .bindPopup(popup("depot " + d.id, d.rows)).addTo(depots);
      bounds.push(d.at);
    });
    var unassigned = L.featureGroup();
    data.unassigned.forEach(function (u) {
      L.marker(u.at, { icon: icon("mk-unassigned", "\u00d7"), title: "unassigned " + u.id })
        .bindPopup(popup("unassigned " + u.id, u.rows)).addTo(unassigned);
      bounds.push(u.at);
    });
    depots.addTo(map);
    unassigned.addTo(map);
    L.control.layers(bases, { "Depots": depots, "Unassigned tickets": unassigned },
                     { collapsed: true }).addTo(map);
    L.control.scale().addTo(map);
    if (bounds.length) { map.fitBounds(bounds, { padding: [20, 20] }); } else { map.setView([0, 0], 2); }
    document.body.dataset.routesDrawn = String(document.querySelectorAll("#map path.route-line").length);
    return { map: map, groups: groups };
  }

  function wireLegend(view) {
    document.querySelectorAll("#legend input[data-tech]").forEach(function (box) {
      box.addEventListener("change", function () {
        var group = view.groups && view.groups[box.dataset.tech];
        if (!group) { return; }
        if (box.checked) { group.addTo(view.map); } else { view.map.removeLayer(group); }
      });
    });
    document.querySelectorAll("#legend [data-all]").forEach(function (button) {
      button.addEventListener("click", function () {
        var on = button.dataset.all === "on";
        document.querySelectorAll("#legend input[data-tech]").forEach(function (box) {
          if (box.checked !== on) { box.checked = on; box.dispatchEvent(new Event("change")); }
        });
      });
    });
  }

  function wireBoardTips() {
    var board = document.getElementById("board");
    var tip = document.getElementById("tip");
    if (!board || !tip) { return; }
    board.querySelectorAll("title").forEach(function (t) { t.remove(); });
    board.addEventListener("mouseover", function (ev) {
      var text = ev.target.getAttribute && ev.target.getAttribute("data-tip");
      if (!text) { return; }
      tip.textContent = text;
      tip.hidden = false;
    });
    board.addEventListener("mousemove", function (ev) {
      tip.style.left = (ev.clientX + 14) + "px";
      tip.style.top = (ev.clientY + 14) + "px";
    });
    board.addEventListener("mouseout", function () { tip.hidden = true; });
  }

  var view = drawMap();
  wireLegend(view);
  wireBoardTips();
  document.body.dataset.ready = "1";
})();
