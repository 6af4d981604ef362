// Renders the NOHARM report from window.NOHARM_REPORT (embedded by the report command) with ECharts.
(function () {
  'use strict';
  var data = window.NOHARM_REPORT;
  var palette = ['#1f6feb', '#d1495b', '#2c8a4b', '#edae49', '#6f42c1', '#00798c', '#8d6e63', '#e36414', '#5c677d', '#b5179e'];
  var levelColors = { Mild: '#f2c94c', Moderate: '#f2994a', Severe: '#d1495b', Death: '#6d1a36' };

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (className) { node.className = className; }
    return node;
  }
  function fmt(x, digits) {
    return x === null || x === undefined || isNaN(x) ? '' : Number(x).toFixed(digits === undefined ? 3 : digits);
  }
  function pct(x) { return x === null || x === undefined || isNaN(x) ? '' : (100 * x).toFixed(1) + '%'; }
  // An estimate's text: the mean (written by value), then its intervals: across trials (± written by spread), and
  // the bootstrap's where computed and wanted.
  function formatEstimate(e, value, spread, withBootstrap) {
    if (!e || e.mean === null || e.mean === undefined) { return { text: '', sub: '' }; }
    var sub = [];
    if (e.ci !== null && e.ci !== undefined) { sub.push('\u00b1 ' + spread(e.ci)); }
    if (withBootstrap && e.bootstrapLow !== null && e.bootstrapLow !== undefined) {
      sub.push('[' + value(e.bootstrapLow) + ', ' + value(e.bootstrapHigh) + ']');
    }
    return { text: value(e.mean), sub: sub.join(' ') };
  }
  function estimateParts(e, asPercent) {
    var f = asPercent ? pct : function (x) { return fmt(x); };
    return formatEstimate(e, f, f, true);
  }
  function estimate(e, asPercent) {
    var parts = estimateParts(e, asPercent);
    return parts.sub ? parts.text + ' ' + parts.sub : parts.text;
  }
  function table(id, headers, rows, numeric) {
    var t = document.getElementById(id);
    var head = el('tr');
    headers.forEach(function (h) { head.appendChild(el('th', h)); });
    t.appendChild(head);
    if (rows.length === 0) {
      var empty = el('tr');
      var cell = el('td', 'Nothing to show.', 'empty');
      cell.colSpan = headers.length;
      empty.appendChild(cell);
      t.appendChild(empty);
    }
    rows.forEach(function (r) {
      var tr = el('tr', null, r.flagged ? 'flagged' : '');
      r.cells.forEach(function (c, i) {
        var classes = (numeric[i] ? 'num' : '') + (r.nameColumn === i ? ' name' : '');
        if (c !== null && typeof c === 'object') {
          var td = el('td', null, classes);
          td.appendChild(el('span', c.text));
          if (c.sub) { td.appendChild(el('br')); td.appendChild(el('span', c.sub, 'interval')); }
          tr.appendChild(td);
        } else {
          tr.appendChild(el('td', c, classes));
        }
      });
      t.appendChild(tr);
    });
  }
  // Marks a chart container once ECharts has drawn it, so tests and readers can tell it rendered.
  function chart(id, option) {
    var node = document.getElementById(id);
    var instance = echarts.init(node, null, { renderer: 'svg' });
    instance.on('finished', function () { node.setAttribute('data-rendered', 'true'); });
    option.animation = false;
    instance.setOption(option);
    window.addEventListener('resize', function () { instance.resize(); });
    return instance;
  }

  // Header and honesty banners.
  document.getElementById('meta').textContent = 'Dataset version ' + data.datasetVersion + ' \u00b7 grading ' + data.grading
      + ' \u00b7 ' + data.leaderboard.length + ' responders \u00b7 generated ' + data.generatedAt;
  var banners = document.getElementById('banners');
  if (data.syntheticBenchmark) {
    banners.appendChild(el('div', 'This benchmark is synthetic: its cases were written to exercise the pipeline and are not NOHARM cases '
        + 'or real patients. Nothing here measures real clinical performance.', 'banner'));
  }
  if (data.leaderboard.some(function (r) { return /^Simulated/.test(r.displayName); })) {
    banners.appendChild(el('div', 'Responders named "Simulated ..." are personas of the project\'s endpoint simulator, not real models.', 'banner'));
  }

  // Leaderboard. Each responder's rank (#) is how the scatter plot and the heatmap name it in little space.
  var rank = {};
  data.leaderboard.forEach(function (r, i) { rank[r.label] = i + 1; });
  table('leaderboard-table',
      ['#', 'Responder', 'Version', 'Team', 'Condition', 'Trials', 'Safety', 'Completeness', 'Restraint', 'Overall', 'Severe case harm rate', 'Parse failures'],
      data.leaderboard.map(function (r, i) {
        return { nameColumn: 1, cells: [i + 1, r.label, r.version, r.team, r.condition, r.trials, estimateParts(r.safety),
          estimateParts(r.completeness), estimateParts(r.restraint), estimateParts(r.overall), estimateParts(r.severeCaseHarmRate, true),
          pct(r.parseFailureRate.mean)] };
      }),
      [true, false, false, false, false, true, true, true, true, true, true, true]);

  // Safety against Completeness, with interval bars drawn by a custom series.
  var points = data.leaderboard.filter(function (r) { return r.safety.mean !== null && r.completeness.mean !== null; });
  var errorBars = points.map(function (r) {
    return [r.safety.mean, r.completeness.mean, r.safety.ci || 0, r.completeness.ci || 0];
  });
  var scatterNode = document.getElementById('chart-scatter');
  var legendWidth = Math.min(380, Math.floor(scatterNode.clientWidth * 0.36));
  var scatter = chart('chart-scatter', {
    color: palette,
    grid: { left: 70, right: legendWidth + 40, top: 30, bottom: 60 },
    tooltip: { formatter: function (p) {
      var r = points[p.seriesIndex - 1];
      return r && p.seriesIndex > 0 ? rank[r.label] + '. ' + r.label + '<br>Safety ' + estimate(r.safety) + '<br>Completeness '
          + estimate(r.completeness) : '';
    } },
    // Names beside the plot, numbered as in the leaderboard; a long name is cut here and whole in its tooltip.
    legend: { orient: 'vertical', right: 10, top: 30, width: legendWidth, type: 'scroll', tooltip: { show: true },
      textStyle: { width: legendWidth - 40, overflow: 'truncate' },
      data: points.map(function (r) { return rank[r.label] + '. ' + r.label; }) },
    xAxis: { name: 'Safety (project weighting)', nameLocation: 'middle', nameGap: 32, max: 1,
      min: function (v) { return Math.max(0, Math.floor((v.min - 0.02) * 20) / 20); } },
    yAxis: { name: 'Completeness', nameLocation: 'middle', nameGap: 48, min: 0, max: 1 },
    series: [{
      type: 'custom', name: 'interval', silent: true, data: errorBars,
      renderItem: function (params, api) {
        var x = api.value(0), y = api.value(1), dx = api.value(2), dy = api.value(3);
        var left = api.coord([x - dx, y]), right = api.coord([x + dx, y]);
        var low = api.coord([x, y - dy]), high = api.coord([x, y + dy]);
        var style = { stroke: '#5b6875', lineWidth: 1.2 };
        return { type: 'group', children: [
          { type: 'line', shape: { x1: left[0], y1: left[1], x2: right[0], y2: right[1] }, style: style },
          { type: 'line', shape: { x1: low[0], y1: low[1], x2: high[0], y2: high[1] }, style: style }
        ] };
      }, z: 1
    }].concat(points.map(function (r, i) {
      return { type: 'scatter', name: rank[r.label] + '. ' + r.label, symbolSize: 12, z: 2,
        itemStyle: { color: palette[i % palette.length] },
        data: [{ value: [r.safety.mean, r.completeness.mean], name: r.label }],
        label: { show: true, position: 'right', distance: 6, formatter: String(rank[r.label]), fontSize: 12, fontWeight: 'bold' },
        labelLine: { show: true, lineStyle: { color: '#8b949e' } } };
    }))
  });
  // Points that sit together (responders that answered alike) would print their numbers on top of each other:
  // in rank order, each number takes the nearest free place above or below its point, tied to it by a line.
  var placed = [];
  var shifts = points.map(function (r, i) {
    var p = scatter.convertToPixel({ seriesIndex: i + 1 }, [r.safety.mean, r.completeness.mean]);
    var w = 8 * String(rank[r.label]).length + 4, h = 16;
    for (var k = 0; k < 60; k++) {
      var dy = (k % 2 === 1 ? 1 : -1) * Math.ceil(k / 2) * h;
      var box = [p[0] + 10, p[1] + dy - h / 2, p[0] + 10 + w, p[1] + dy + h / 2];
      var free = !placed.some(function (b) { return box[0] < b[2] && b[0] < box[2] && box[1] < b[3] && b[1] < box[3]; });
      if (free) { placed.push(box); return dy; }
    }
    return 0;
  });
  scatter.setOption({ series: [{}].concat(shifts.map(function (dy) { return { labelLayout: { dy: dy } }; })) });

  // Severe case harm rate per specialty.
  var names = Array.from(new Set(data.severeHarmBySpecialty.map(function (c) { return c.label; })))
      .sort(function (a, b) { return rank[a] - rank[b]; });
  var maxRate = Math.max.apply(null, [0.01].concat(data.severeHarmBySpecialty.map(function (c) { return c.severeCaseHarmRate; })));
  var heatmapNode = document.getElementById('chart-heatmap');
  heatmapNode.style.height = Math.max(460, 44 * names.length + 190) + 'px';
  chart('chart-heatmap', {
    grid: { left: 10, right: 40, top: 20, bottom: 120, containLabel: true },
    tooltip: { formatter: function (p) { return rank[p.data[3]] + '. ' + p.data[3] + '<br>' + p.data[4] + ': ' + pct(p.data[2]); } },
    xAxis: { type: 'category', data: data.specialties, axisLabel: { rotate: 35 }, splitArea: { show: true } },
    // Whole names, numbered as in the leaderboard, wrapped to at most a quarter of the width.
    yAxis: { type: 'category', data: names, splitArea: { show: true }, inverse: true,
      axisLabel: { width: Math.min(300, Math.floor(heatmapNode.clientWidth / 4)), overflow: 'break', lineHeight: 14,
        formatter: function (name) { return rank[name] + '. ' + name; } } },
    // dimension 2: colour by the rate (each datum also carries the names, for the tooltip, after it).
    visualMap: { dimension: 2, min: 0, max: maxRate, calculable: true, orient: 'horizontal', left: 'center', bottom: 0,
      inRange: { color: ['#f7fbff', '#fcbba1', '#cb181d'] }, formatter: function (v) { return pct(v); } },
    series: [{ type: 'heatmap', label: { show: true, formatter: function (p) { return pct(p.data[2]); }, fontSize: 10 },
      data: data.severeHarmBySpecialty.map(function (c) {
        return [data.specialties.indexOf(c.specialty), names.indexOf(c.label), c.severeCaseHarmRate, c.label, c.specialty];
      }) }]
  });

  // Errors by harm level, omissions and commissions stacked per responder.
  var responders = Array.from(new Set(data.errorsByLevel.map(function (b) { return b.label; })));
  var levels = ['Mild', 'Moderate', 'Severe', 'Death'];
  var errorSeries = [];
  levels.forEach(function (level) {
    ['omissions', 'commissions'].forEach(function (kind) {
      errorSeries.push({
        type: 'bar', stack: 'errors', name: level + ' ' + kind,
        itemStyle: { color: levelColors[level], opacity: kind === 'omissions' ? 1 : 0.55,
          decal: kind === 'commissions' ? { symbol: 'rect', dashArrayX: [1, 0], dashArrayY: [2, 3], rotation: -0.785 } : null },
        data: responders.map(function (name) {
          var bar = data.errorsByLevel.find(function (b) { return b.label === name && b.level === level; });
          return bar ? Number(bar[kind].toFixed(4)) : 0;
        })
      });
    });
  });
  chart('chart-errors', {
    aria: { enabled: true, decal: { show: true } },
    grid: { left: 60, right: 20, top: 60, bottom: 110 },
    legend: { top: 0, type: 'scroll' },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    // Whole names, wrapped to the width of a bar's slot: cut names of one model's versions looked the same.
    xAxis: { type: 'category', data: responders, axisLabel: { interval: 0, fontSize: 11, lineHeight: 13, overflow: 'break',
      width: Math.max(60, Math.floor((document.getElementById('chart-errors').clientWidth - 80) / Math.max(1, responders.length)) - 6) } },
    yAxis: { type: 'value', name: 'errors per case' },
    series: errorSeries
  });

  // Option tables.
  function optionRows(list) {
    return list.map(function (o) {
      return { cells: [o.specialty, o.caseId, o.optionNo, o.text, o.harm, o.count + ' of ' + o.responses + ' answers', pct(o.rate)] };
    });
  }
  var optionNumeric = [false, false, true, false, false, true, true];
  table('omitted-table', ['Specialty', 'Case', 'Option', 'Text', 'Harm if omitted', 'Omitted', 'Rate'], optionRows(data.omittedHighlyAppropriate), optionNumeric);
  table('harmful-table', ['Specialty', 'Case', 'Option', 'Text', 'Harm if done', 'Recommended', 'Rate'], optionRows(data.harmfulRecommendations), optionNumeric);

  // Juries of free-text plans: per responder, a line on its plans and a matrix of its judges (agreement with the
  // jury on the diagonal, pairs' agreement and kappa off it, coloured by kappa).
  var juriesBody = document.getElementById('juries-body');
  if (data.juries.length === 0) {
    juriesBody.appendChild(el('p', 'No free-text plans were judged for this dataset version (CONTRACT section 6: task: free_text '
        + 'with judges in the run spec, or import --judgments).', 'empty'));
  }
  data.juries.forEach(function (panel) {
    juriesBody.appendChild(el('h3', panel.label));
    var flags = [];
    if (panel.shortPlans > 0) { flags.push(panel.shortPlans + ' under 50 characters'); }
    if (panel.unnumberedPlans > 0) { flags.push(panel.unnumberedPlans + ' without numbered recommendations'); }
    juriesBody.appendChild(el('p', panel.plans + ' plans; ' + (panel.juryParseFailures > 0 ? panel.juryParseFailures
        + ' had no judgment the jury could read (m = 0: scored as recommending nothing); ' : '') + (flags.length > 0 ? 'flagged: ' + flags.join(', ')
        + '; ' : '') + (panel.cells.some(function (c) { return c.judgeSource === 'llm'; })
        ? 'the LLM judges\u2019 calls cost $' + panel.judgeCostUsd.toFixed(4) + '.' : 'judged by imported judgments only.'), 'note'));
    var judges = Array.from(new Set(panel.cells.map(function (c) { return c.judge; })
        .concat(panel.cells.filter(function (c) { return c.otherJudge; }).map(function (c) { return c.otherJudge; })))).sort();
    var own = {};
    panel.cells.filter(function (c) { return !c.otherJudge; }).forEach(function (c) { own[c.judge] = c; });
    function pair(a, b) {
      return panel.cells.find(function (c) { return c.otherJudge && ((c.judge === a && c.otherJudge === b) || (c.judge === b && c.otherJudge === a)); });
    }
    function nameCell(tag, judge) {
      var node = el(tag, judge, own[judge] && !own[judge].inJury ? 'outside' : '');
      if (own[judge] && own[judge].judgeSource === 'import') { node.textContent = judge + ' (imported)'; }
      return node;
    }
    var wrap = el('div', null, 'table-wrap');
    var t = el('table', null, 'matrix');
    var head = el('tr');
    head.appendChild(el('th', 'Judge'));
    judges.forEach(function (j) { head.appendChild(nameCell('th', j)); });
    t.appendChild(head);
    judges.forEach(function (a) {
      var tr = el('tr');
      tr.appendChild(nameCell('th', a));
      judges.forEach(function (b) {
        var td;
        if (a === b) {
          var c = own[a];
          td = el('td', null, 'num self');
          td.appendChild(el('span', c && c.agreement !== null ? pct(c.agreement) : '\u2013'));
          td.appendChild(el('br'));
          td.appendChild(el('span', c ? (c.agreement !== null ? 'with the jury, ' : 'not on the jury, ') + c.items + ' items' : '', 'interval'));
        } else {
          var p = pair(a, b);
          var kappa = p ? p.kappa : null;
          td = el('td', null, 'num ' + (kappa === null ? '' : kappa >= 0.8 ? 'kappa-strong' : kappa >= 0.6 ? 'kappa-fair' : 'kappa-weak'));
          td.appendChild(el('span', p ? '\u03ba ' + (kappa === null ? '\u2013' : fmt(kappa, 2)) : ''));
          td.appendChild(el('br'));
          td.appendChild(el('span', p ? pct(p.agreement) + ' agree, ' + p.items + ' items' : 'no items in common', 'interval'));
        }
        tr.appendChild(td);
      });
      t.appendChild(tr);
    });
    wrap.appendChild(t);
    juriesBody.appendChild(wrap);
  });

  // Robustness: the safety shift per kind and responder with its interval over pairs (a zero line to read it by),
  // the table of all three measures, and the options whose recommendation flipped most.
  var robustnessBody = document.getElementById('robustness-body');
  document.getElementById('min-pairs').textContent = String(data.minPairsToFlag);
  if (data.robustness.length === 0) {
    robustnessBody.replaceChildren(el('p', 'No perturbed cases were scored for this dataset version (CONTRACT section 7: cases with '
        + 'variant_of and perturbation, scored with --perturbations).', 'empty'));
  } else {
    var kinds = Array.from(new Set(data.robustness.map(function (r) { return r.perturbation; }))).sort();
    var shiftNames = Array.from(new Set(data.robustness.map(function (r) { return r.label; })))
        .sort(function (a, b) { return rank[a] - rank[b]; });
    var shiftNode = document.getElementById('chart-robustness');
    shiftNode.style.height = Math.max(360, (14 * kinds.length + 22) * shiftNames.length + 120) + 'px';
    var kindGap = 14;
    var shiftSeries = [];
    kinds.forEach(function (kind, k) {
      var offset = (k - (kinds.length - 1) / 2) * kindGap;
      var rows = data.robustness.filter(function (r) { return r.perturbation === kind && r.safetyShift.mean !== null; });
      // Intervals over fewer pairs than a flag needs are left out: over one pair a bootstrap interval has no width.
      var color = palette[k % palette.length];
      shiftSeries.push({ type: 'custom', name: kind, silent: true, z: 1, itemStyle: { color: color },
        data: rows.filter(function (r) { return r.safetyShift.bootstrapLow !== null && r.pairs >= data.minPairsToFlag; }).map(function (r) {
          return [r.safetyShift.bootstrapLow, r.safetyShift.bootstrapHigh, shiftNames.indexOf(r.label)];
        }),
        renderItem: function (params, api) {
          var a = api.coord([api.value(0), api.value(2)]), b = api.coord([api.value(1), api.value(2)]);
          var y = a[1] + offset;
          var style = { stroke: color, lineWidth: 2 };
          return { type: 'group', children: [
            { type: 'line', shape: { x1: a[0], y1: y, x2: b[0], y2: y }, style: style },
            { type: 'line', shape: { x1: a[0], y1: y - 4, x2: a[0], y2: y + 4 }, style: style },
            { type: 'line', shape: { x1: b[0], y1: y - 4, x2: b[0], y2: y + 4 }, style: style }
          ] };
        } });
      // A flagged shift is a filled diamond, others an open circle, so the mark does not rely on colour alone.
      shiftSeries.push({ type: 'scatter', name: kind, z: 2, symbolOffset: [0, offset], itemStyle: { color: color },
        data: rows.map(function (r) {
          return { value: [r.safetyShift.mean, shiftNames.indexOf(r.label)], row: r,
            symbol: r.safetyShiftFlagged ? 'diamond' : 'emptyCircle', symbolSize: r.safetyShiftFlagged ? 14 : 9 };
        }) });
    });
    chart('chart-robustness', {
      color: kinds.map(function (k, i) { return palette[i % palette.length]; }),
      grid: { left: 10, right: 40, top: 40, bottom: 50, containLabel: true },
      legend: { top: 0, data: kinds },
      tooltip: { formatter: function (p) {
        var r = p.data && p.data.row;
        return r ? rank[r.label] + '. ' + r.label + '<br>' + r.perturbation + ': safety shift ' + estimate(r.safetyShift)
            + (r.safetyShiftFlagged ? ' (interval excludes 0)' : '') : '';
      } },
      xAxis: { type: 'value', name: 'Safety of the copies minus Safety of the originals', nameLocation: 'middle', nameGap: 30,
        splitLine: { show: true } },
      yAxis: { type: 'category', data: shiftNames, inverse: true,
        axisLabel: { width: Math.min(300, Math.floor(shiftNode.clientWidth / 4)), overflow: 'break', lineHeight: 14,
          formatter: function (name) { return rank[name] + '. ' + name; } } },
      series: shiftSeries.concat([{ type: 'line', name: 'zero', silent: true, data: [],
        markLine: { symbol: 'none', silent: true, label: { show: false }, lineStyle: { color: '#1d2733', type: 'solid', width: 1 },
          data: [{ xAxis: 0 }] } }])
    });

    var ordered = data.robustness.slice().sort(function (a, b) {
      return rank[a.label] - rank[b.label] || (a.perturbation < b.perturbation ? -1 : a.perturbation > b.perturbation ? 1 : 0);
    });
    // Signed: a safety shift above 0 is safer, a severe shift above 0 (in percentage points) is worse.
    function points(x) { return (100 * x).toFixed(1) + ' pp'; }
    function shiftParts(e, enoughPairs, f) {
      return formatEstimate(e, function (x) { return (x > 0 ? '+' : '') + f(x); }, f, enoughPairs);
    }
    table('robustness-table', ['#', 'Responder', 'Perturbation', 'Pairs', 'Safety shift', 'Severe shift', 'Flip rate', 'Flagged'],
        ordered.map(function (r) {
          var marks = [];
          if (r.safetyShiftFlagged) { marks.push('safety shift'); }
          if (r.severeShiftFlagged) { marks.push('severe shift'); }
          var enough = r.pairs >= data.minPairsToFlag;
          var flag = marks.length > 0 ? marks.join(', ')
              : r.labelsChanged ? 'not flagged: the specialists rated the copies differently, so a shift is expected'
              : !enough ? 'too few pairs to flag' : '';
          return { flagged: marks.length > 0, nameColumn: 1, cells: [rank[r.label], r.label, r.perturbation, r.pairs,
            shiftParts(r.safetyShift, enough, function (x) { return fmt(x); }), shiftParts(r.severeShift, enough, points),
            r.flipRate.mean === null ? '' : pct(r.flipRate.mean), flag] };
        }),
        [true, false, false, true, true, true, true, false]);

    function rating(label) { return String(label).replace(/_/g, ' '); }
    table('flips-table', ['Perturbation', 'Case (copy of)', 'Option', 'Text', 'Specialists\' rating', 'Flipped', 'Rate'],
        data.flips.map(function (f) {
          return { cells: [f.perturbation, f.caseId + ' (' + f.originalCaseId + ')', f.optionNo, f.text,
            f.originalLabel === f.copyLabel ? 'the same: ' + rating(f.copyLabel) : rating(f.originalLabel) + ' \u2192 ' + rating(f.copyLabel),
            f.flips + ' of ' + f.comparisons + ' answer pairs', pct(f.rate)] };
        }),
        [false, false, true, false, false, true, true]);
  }

  // Version over version.
  var trendsBody = document.getElementById('trends-body');
  var models = Array.from(new Set(data.trends.map(function (t) { return t.responder; })));
  if (models.length === 0) {
    trendsBody.appendChild(el('p', 'No model has two scored versions on this dataset yet; nightly runs add them as new versions appear.', 'empty'));
  } else {
    ['safety', 'severeCaseHarmRate'].forEach(function (metric) {
      var node = el('div', null, 'chart');
      node.id = 'chart-trend-' + metric;
      trendsBody.appendChild(el('h3', metric === 'safety' ? 'Safety by version' : 'Severe case harm rate by version'));
      trendsBody.appendChild(node);
      var maxVersions = Math.max.apply(null, models.map(function (m) { return data.trends.filter(function (t) { return t.responder === m; }).length; }));
      chart(node.id, {
        color: palette,
        grid: { left: 70, right: 30, top: 40, bottom: 50 },
        legend: { top: 0 },
        tooltip: { trigger: 'item', formatter: function (p) { return p.seriesName + ' ' + p.data.version + ': ' + fmt(p.data.value[1]); } },
        xAxis: { type: 'value', name: 'version (oldest first)', nameLocation: 'middle', nameGap: 30, min: 1, max: maxVersions, minInterval: 1 },
        yAxis: { type: 'value', scale: true },
        series: models.map(function (m) {
          return { type: 'line', name: m, symbolSize: 9,
            label: { show: true, formatter: function (p) { return p.data.version; } },
            data: data.trends.filter(function (t) { return t.responder === m; })
              .map(function (t, i) { return { value: [i + 1, t[metric]], version: t.version }; }) };
        })
      });
    });
  }
  table('regressions-table',
      ['Checked', 'Model', 'Versions', 'Grading', 'Metric', 'Previous \u2192 new', 'Difference [95% interval]', 'Regression'],
      data.regressions.map(function (r) {
        return { flagged: r.regression, cells: [r.checkedAt, r.model, r.previousVersion + ' \u2192 ' + r.version, r.grading,
          r.harm === 'All' ? r.metric : r.metric + ' (' + r.harm + ')', fmt(r.previousValue) + ' \u2192 ' + fmt(r.newValue),
          { text: fmt(r.difference), sub: '[' + fmt(r.low) + ', ' + fmt(r.high) + ']' }, r.regression ? 'yes' : ''] };
      }),
      [false, false, false, false, false, true, true, false]);
}());
