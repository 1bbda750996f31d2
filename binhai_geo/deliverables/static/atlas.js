
var bhg = (function () {
  "use strict";
  L.Control.Scale.mergeOptions({imperial: false, maxWidth: 160});
  var DASH = "\u2013";
  function text(v) {
    return (v === null || v === undefined || v === "") ? DASH : String(v);
  }
  function popup(spec) {
    return function (layer) {
      var p = (layer.feature && layer.feature.properties) || {};
      var div = L.DomUtil.create("div", "bhg-popup");
      L.DomUtil.create("div", "bhg-popup-title", div).textContent = spec.label;
      var table = L.DomUtil.create("table", "", div);
      spec.fields.forEach(function (f) {
        var row = table.insertRow();
        var th = document.createElement("th");
        th.textContent = f[1];
        row.appendChild(th);
        row.insertCell().textContent = text(p[f[0]]);
      });
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
    return {
      pane: spec.pane,
      style: function (feature) { return styleOf(spec, feature); },
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, L.extend({pane: spec.pane}, styleOf(spec, feature)));
      },
      onEachFeature: function (feature, layer) {
        layer.bindPopup(popup(spec), {maxWidth: 360});
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
          marker.bindPopup(popup(spec), {maxWidth: 360});
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
  function layerControl(map, themes, bases) {
    var overlays = {}, heads = {}, baseLayers = null;
    themes.forEach(function (theme) {
      theme[1].forEach(function (item, i) {
        overlays[item[0]] = item[1];
        if (i === 0) { heads[item[0]] = theme[0]; }
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
    return ctl;
  }
  function attribution(map, prefix, credits) {
    if (!map.attributionControl) { L.control.attribution().addTo(map); }
    map.attributionControl.setPrefix(prefix);
    if (credits) { map.attributionControl.addAttribution(credits); }
  }
  var api = {
    maps: [], layerOptions: layerOptions, panes: panes, control: control, detail: detail,
    basemaps: basemaps, layerControl: layerControl, attribution: attribution
  };
  return api;
})();
