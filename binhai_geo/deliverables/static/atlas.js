
var bhg = (function () {
  "use strict";
  L.Control.Scale.mergeOptions({imperial: false, maxWidth: 160});
  var DASH = "\u2013";
  // Popups pan clear of the side panels (filled in by fit, once the panels are measured).
  var PAD_TL = [10, 10], PAD_BR = [10, 10];
  var POPUP = {maxWidth: 360, autoPanPaddingTopLeft: PAD_TL, autoPanPaddingBottomRight: PAD_BR};
  function text(v) {
    return (v === null || v === undefined || v === "") ? DASH : String(v);
  }
  // spec.fields: [[name, label, group], ...]; rows without a group are shown, the others under
  // "details" in their groups (short by default, details on demand); rows without a value are left out.
  function rows(table, p, fields, skipEmpty) {
    var n = 0;
    fields.forEach(function (f) {
      if (skipEmpty && text(p[f[0]]) === DASH) { return; }
      n += 1;
      var row = table.insertRow();
      var th = document.createElement("th");
      th.textContent = f[1];
      row.appendChild(th);
      row.insertCell().textContent = text(p[f[0]]);
    });
    return n;
  }
  function popup(spec) {
    return function (layer) {
      var p = (layer.feature && layer.feature.properties) || {};
      var div = L.DomUtil.create("div", "bhg-popup");
      L.DomUtil.create("div", "bhg-popup-title", div).textContent = spec.label;
      var main = [], groups = [], byGroup = {};
      spec.fields.forEach(function (f) {
        if (!f[2]) { main.push(f); return; }
        if (!byGroup[f[2]]) { byGroup[f[2]] = []; groups.push(f[2]); }
        byGroup[f[2]].push(f);
      });
      rows(L.DomUtil.create("table", "", div), p, main, true);
      if (groups.length) {
        var more = L.DomUtil.create("details", "bhg-popup-more", div);
        var summary = L.DomUtil.create("summary", "", more);
        var n = 0;
        groups.forEach(function (g) {
          var head = L.DomUtil.create("div", "bhg-popup-group", more);
          head.textContent = g;
          var k = rows(L.DomUtil.create("table", "", more), p, byGroup[g], true);
          if (!k) { more.removeChild(head.nextSibling); more.removeChild(head); }
          n += k;
        });
        summary.textContent = "\u66f4\u591a\u4fe1\u606f Details (" + n + ")";
        if (!n) { div.removeChild(more); }
      }
      return div;
    };
  }
  function styleOf(spec, feature) {
    var i = (feature && feature.properties && feature.properties._s) || 0;
    return spec.styles[i] || spec.styles[0];
  }
  function tooltip(spec, feature, layer) {
    var name = feature.properties && feature.properties[spec.tip];
    layer.bindTooltip(function () {
      var span = document.createElement("span");
      span.textContent = name ? name + " \u00b7 " + spec.label : spec.label;
      return span;
    }, {sticky: true});
  }
  function layerOptions(spec) {
    if (spec.interactive === false) {
      // Base layers (land, sea): drawn only; a click goes through to the map.
      return {
        pane: spec.pane, interactive: false,
        style: function (feature) { return styleOf(spec, feature); }
      };
    }
    return {
      pane: spec.pane,
      style: function (feature) { return styleOf(spec, feature); },
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, L.extend({pane: spec.pane}, styleOf(spec, feature)));
      },
      onEachFeature: function (feature, layer) {
        layer.bindPopup(popup(spec), POPUP);
        tooltip(spec, feature, layer);
      }
    };
  }
  // An aggregated layer: grid cells below spec.minZoom; from there on, the features in view as points.
  // data = {fields: [name, ...], values: [[distinct values of each field]], rows: [[lon, lat, i0, i1, ...]]}
  function detail(map, group, agg, spec, data) {
    var points = L.layerGroup();
    function update() {
      if (!map.hasLayer(group)) { return; }
      if (map.getZoom() >= spec.minZoom) {
        if (group.hasLayer(agg)) { group.removeLayer(agg); }
        points.clearLayers();
        var b = map.getBounds().pad(0.3);
        var opts = L.extend({pane: spec.pane}, spec.styles[0]);
        data.rows.forEach(function (r) {
          if (!b.contains([r[1], r[0]])) { return; }
          var props = {};
          data.fields.forEach(function (f, i) { props[f] = data.values[i][r[i + 2]]; });
          var marker = L.circleMarker([r[1], r[0]], opts);
          marker.feature = {type: "Feature", properties: props};
          marker.bindPopup(popup(spec), POPUP);
          tooltip(spec, marker.feature, marker);
          points.addLayer(marker);
        });
        if (!group.hasLayer(points)) { group.addLayer(points); }
      } else {
        if (group.hasLayer(points)) { group.removeLayer(points); points.clearLayers(); }
        if (!group.hasLayer(agg)) { group.addLayer(agg); }
      }
    }
    map.on("zoomend moveend", update);
    group.on("add", update);
    return group;
  }
  function panes(map, zIndex) {
    api.maps.push(map);
    Object.keys(zIndex).forEach(function (name) {
      var pane = map.createPane(name);
      pane.style.zIndex = String(zIndex[name]);
      pane.style.pointerEvents = "none";
    });
  }
  function control(map, id, position) {
    var el = document.getElementById(id);
    var ctl = L.control({position: position});
    ctl.onAdd = function () {
      L.DomEvent.disableClickPropagation(el);
      L.DomEvent.disableScrollPropagation(el);
      return el;
    };
    ctl.addTo(map);
    return ctl;
  }
  // bases: [[label, [url, ...], options]]; the first is switched on, an empty "no tiles" base is added.
  function basemaps(map, bases, offlineLabel) {
    var out = [];
    bases.forEach(function (b, i) {
      var group = L.layerGroup(b[1].map(function (url) { return L.tileLayer(url, b[2]); }));
      if (i === 0) { group.addTo(map); }
      out.push([b[0], group]);
    });
    out.push([offlineLabel, L.layerGroup()]);
    return out;
  }
  function small() {
    return window.innerWidth < 1600 || window.innerHeight < 900;
  }
  // A panel with a head that folds it (class bhg-collapsed); folded at first on laptop screens.
  function foldable(el, label) {
    var head = L.DomUtil.create("div", "bhg-panel-head");
    head.setAttribute("role", "button");
    head.setAttribute("tabindex", "0");
    head.textContent = label;
    el.insertBefore(head, el.firstChild);
    L.DomEvent.on(head, "click", function () { el.classList.toggle("bhg-collapsed"); });
    if (small()) { el.classList.add("bhg-collapsed"); }
    return head;
  }
  // themes: [[title, [[label, layer], ...], exclusive], ...]; in an exclusive theme one layer is on at a time.
  function layerControl(map, themes, bases) {
    var overlays = {}, heads = {}, baseLayers = null;
    themes.forEach(function (theme) {
      var group = theme[1].map(function (item) { return item[1]; });
      theme[1].forEach(function (item, i) {
        overlays[item[0]] = item[1];
        if (i === 0) { heads[item[0]] = theme[0]; }
        if (theme[2]) {
          item[1].on("add", function () {
            var removed = false;
            group.forEach(function (other) {
              if (other !== item[1] && map.hasLayer(other)) { map.removeLayer(other); removed = true; }
            });
            // the control skips its own refresh while it handles a click: refresh it once that is done
            if (removed && ctl) { setTimeout(function () { ctl._update(); }, 0); }
          });
        }
      });
    });
    if (bases && bases.length) {
      baseLayers = {};
      bases.forEach(function (b) { baseLayers[b[0]] = b[1]; });
    }
    var ctl = L.control.layers(baseLayers, overlays, {collapsed: false, position: "topright", sortLayers: false});
    var update = ctl._update;
    ctl._update = function () {
      var out = update.apply(this, arguments);
      var list = this._overlaysList;
      if (list) {
        Array.prototype.slice.call(list.children).forEach(function (label) {
          var head = heads[label.textContent.trim()];
          if (head) {
            var div = document.createElement("div");
            div.className = "bhg-layer-theme";
            div.textContent = head;
            list.insertBefore(div, label);
          }
        });
      }
      return out;
    };
    ctl.addTo(map);
    var el = ctl.getContainer();
    el.classList.add("bhg-layers");
    foldable(el, "\u56fe\u5c42 Layers");
    return ctl;
  }
  // Fit the bounds in the part of the map the panels leave free (measured, so any screen works).
  function fit(map, bounds) {
    function width(side) {
      var w = 0;
      document.querySelectorAll(".leaflet-top.leaflet-" + side + " .leaflet-control").forEach(function (c) {
        if (!c.classList.contains("leaflet-control-zoom")) { w = Math.max(w, c.offsetWidth); }
      });
      return w;
    }
    var left = width("left"), right = width("right");
    var size = map.getSize();
    if (left + right > size.x * 0.7) { left = right = 10; }
    PAD_TL[0] = left + 14;
    PAD_BR[0] = right + 14;
    map.fitBounds(bounds, {paddingTopLeft: [left + 14, 14], paddingBottomRight: [right + 14, 24]});
  }
  // The top panels end above the bottom corners' controls (credits, scale), measured, so the credits never
  // cover a panel whatever their length and the screen; kept so when the credits or the window change.
  function clearBottom(map) {
    var box = map.getContainer();
    function clear() {
      var bottom = box.getBoundingClientRect().bottom;
      ["left", "right"].forEach(function (side) {
        var top = box.querySelector(".leaflet-top.leaflet-" + side);
        var low = box.querySelector(".leaflet-bottom.leaflet-" + side);
        if (!top || !low) { return; }
        var h = 0;
        Array.prototype.forEach.call(low.children, function (c) {
          if (c.offsetHeight) { h = Math.max(h, bottom - c.getBoundingClientRect().top); }
        });
        top.style.bottom = Math.ceil(h + 8) + "px";
      });
    }
    clear();
    if (window.ResizeObserver) {
      var ro = new ResizeObserver(clear);
      box.querySelectorAll(".leaflet-bottom").forEach(function (c) { ro.observe(c); });
    }
    window.addEventListener("resize", clear);
    return clear;
  }
  function attribution(map, prefix, credits) {
    if (!map.attributionControl) { L.control.attribution().addTo(map); }
    map.attributionControl.setPrefix(prefix);
    if (credits) { map.attributionControl.addAttribution(credits); }
    clearBottom(map);
  }
  var api = {
    maps: [], layerOptions: layerOptions, panes: panes, control: control, detail: detail,
    basemaps: basemaps, layerControl: layerControl, attribution: attribution, fit: fit, foldable: foldable,
    clearBottom: clearBottom
  };
  return api;
})();
