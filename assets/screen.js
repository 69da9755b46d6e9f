/* Community Cockpit — the wall screen for one scope (/screen/{scope}).
 *
 * One WebSocket to /api/v1/ws?scope=…: the server sends a snapshot, then updates whose
 * `seq` grows by one. A gap in `seq` or a new `epoch` → send {"type":"resync"} and wait
 * for the snapshot. A lost connection → reconnect with jittered exponential back-off
 * (0.5 s doubling to a 10 s cap, ±30 %), take the new connection's snapshot and say so.
 * Never silently stale: the connection state and the age of the data are always on
 * screen; a connection lost for more than a few seconds turns the indicator red, dims
 * the figures and puts up a banner saying when they froze. */
(function () {
  'use strict';
  const C = window.Cockpit;
  const { t, h, svg, fmtNum, fmtChart, fmtPct, fmtDuration } = C;

  const RETRY_MIN_MS = 500;
  const RETRY_MAX_MS = 10000;
  const JITTER = 0.3;
  /** Amber "reconnecting" this long after a loss (a deploy blip), then red "disconnected". */
  const DOWN_AFTER_MS = 4000;
  /** Browsers hide WebSocket pings from scripts: after this much silence, ask for a snapshot… */
  const PROBE_AFTER_MS = 45000;
  /** …and if none comes back in this long, the link is dead: reconnect. */
  const PROBE_TIMEOUT_MS = 15000;
  const SERIES_EVERY_MS = 60000;
  /** The map's outlines and ticket points, and the theme communities' figures, are refetched this often. */
  const MAP_EVERY_MS = 30000;
  const THEMES_EVERY_MS = 30000;
  /** What the health lead panel counts while its definition loads (dashboard-schema/themes/health.json). */
  const HEALTH_EVENTS = { categories: ['health'], types: ['lecture'] };
  const CHILD_PAGE_MS = 10000;
  /** Alerts listed at most; the rest are counted ("3 more"). */
  const ALERTS_SHOWN = 4;
  /** The smallest text on the wall, in rem (screen.css --min-text): 20 px at 1080p. */
  const MIN_TEXT_REM = 1.25;
  /** The last figures are kept for a cold start at most this often (localStorage is synchronous). */
  const KEEP_EVERY_MS = 5000;
  const KPIS = ['tickets_open', 'tickets_overdue', 'tickets_resolved', 'events_held', 'attendance'];
  const PIPELINE = ['reported', 'dispatched', 'in_progress', 'resolved'];
  const THEMES = ['health', 'rule-of-law', 'heritage', 'smart', 'home'];

  /**
   * Labels of the ticket panels (overdue tickets, a grid's open tickets, holders'
   * caseload), in both languages; the rest are common.js's. Elements with
   * `data-label` take theirs on every render, so the language switch relabels them.
   */
  const LABELS = {
    zh: {
      'overdue.title': '超期工单 · 督办',
      'overdue.count': '共 {n} 件',
      'overdue.none': '暂无超期工单',
      'tickets.title': '在办事件 · 超期优先',
      'tickets.count': '共 {n} 件',
      'tickets.none': '暂无在办事件',
      'workload.title': '处置人员 · 工作量',
      'workload.none': '暂无处置中的工单',
      'unavailable': '暂不可用',
      'unavailable.details': '工单详情暂不可用',
      'unavailable.open': '在办事件暂不可用',
      'unavailable.caseload': '在办数暂不可用',
      'col.deadline': '时限', 'col.category': '分类', 'col.issue': '事项', 'col.status': '状态', 'col.holder': '处置人',
      'col.held': '在办', 'col.late': '超期', 'col.dispatched': '今日派单', 'col.solved': '今日办结',
      'holder.none': '未派单',
      'ticket.no_detail': '详情暂缺',
      'late.d': '天', 'late.h': '小时', 'late.m': '分', 'late.min': '分钟', 'late.sep': '',
      'late.in': '剩{d}', 'late.over': '超{d}',
      'map.title': '辖区地图 · 未办结',
      'map.schematic': '示意图',
      'map.unavailable': '工单位置暂不可用',
      'map.over': '超{n}',
      'themes.title': '主题社区',
      'period.day': '今日', 'period.week': '本周', 'period.month': '本月', 'period.year': '本年', 'period.all': '累计',
      'metric.events_held': '举办', 'metric.events_scheduled': '待开展', 'metric.attendance': '参与人次',
      'metric.unique_attendees': '参与居民', 'metric.tickets_reported': '上报', 'metric.tickets_open': '未办结',
      'metric.tickets_overdue': '超期', 'metric.tickets_resolved': '办结', 'metric.tickets_dispatched': '派单',
      'metric.mean_resolve_seconds': '平均办结用时', 'metric.resolved_on_time_rate': '按时办结率',
      'ledger.kpi': '公共收益结余（元）', 'ledger.sub': '收 {i} · 支 {s} · {n} 笔',
    },
    en: {
      'overdue.title': 'Overdue tickets',
      'overdue.count': '{n} in all',
      'overdue.none': 'Nothing overdue',
      'tickets.title': 'Open tickets · overdue first',
      'tickets.count': '{n} open',
      'tickets.none': 'No open tickets',
      'workload.title': 'Caseload · new and done today',
      'workload.none': 'No tickets held',
      'unavailable': 'unavailable',
      'unavailable.details': 'ticket details unavailable',
      'unavailable.open': 'Open tickets unavailable',
      'unavailable.caseload': 'caseload unavailable',
      'col.deadline': 'Deadline', 'col.category': 'Category', 'col.issue': 'Issue', 'col.status': 'Status', 'col.holder': 'Holder',
      'col.held': 'Open', 'col.late': 'Overdue', 'col.dispatched': 'New', 'col.solved': 'Done',
      'holder.none': 'Unassigned',
      'ticket.no_detail': 'no details',
      'late.d': 'd', 'late.h': 'h', 'late.m': 'm', 'late.min': 'm', 'late.sep': ' ',
      'late.in': 'in {d}', 'late.over': '{d} over',
      'map.title': 'Map · open tickets',
      'map.schematic': 'schematic',
      'map.unavailable': 'ticket points unavailable',
      'map.over': '{n} late',
      'themes.title': 'Themes',
      'period.day': 'today', 'period.week': 'this week', 'period.month': 'this month', 'period.year': 'this year', 'period.all': 'to date',
      'metric.events_held': 'held', 'metric.events_scheduled': 'scheduled', 'metric.attendance': 'attendance',
      'metric.unique_attendees': 'residents', 'metric.tickets_reported': 'reported', 'metric.tickets_open': 'open',
      'metric.tickets_overdue': 'overdue', 'metric.tickets_resolved': 'resolved', 'metric.tickets_dispatched': 'dispatched',
      'metric.mean_resolve_seconds': 'avg to resolve', 'metric.resolved_on_time_rate': 'on time',
      'ledger.kpi': 'Public revenue (¥)', 'ledger.sub': '+{i} · −{s} · {n} entries',
    },
  };

  /** A ticket panel's label in the current language, `{name}` filled from `vars`. */
  function L(key, vars) {
    const dict = LABELS[C.lang() === 'en' ? 'en' : 'zh'];
    let s = key in dict ? dict[key] : LABELS.zh[key];
    if (s === undefined) return key;
    if (vars) s = s.replace(/\{(\w+)\}/g, (_, k) => (vars[k] === undefined ? '' : String(vars[k])));
    return s;
  }

  const scope = decodeURIComponent(location.pathname.replace(/^\/screen\//, '').replace(/\/+$/, ''));
  const $ = (id) => document.getElementById(id);
  /** Where this screen keeps its last figures (one entry per scope). */
  const KEEP_KEY = 'cockpit.last.' + scope;
  /**
   * This screen's stable name for screen health: `?screen=` if the installer set one
   * (e.g. `?screen=tongjing-lobby`), else one made up once and kept in localStorage.
   */
  const SCREEN_ID = (() => {
    const given = new URLSearchParams(location.search).get('screen');
    if (given && /^[A-Za-z0-9_-]{1,64}$/.test(given)) return given;
    const made = () => 's-' + Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, '0')).join('');
    try {
      let id = localStorage.getItem('cockpit.screen');
      if (!id || !/^[A-Za-z0-9_-]{1,64}$/.test(id)) {
        id = made();
        localStorage.setItem('cockpit.screen', id);
      }
      return id;
    } catch (e) {
      return made(); // no storage (private mode): a new name per page load
    }
  })();

  const st = {
    dash: null, // the last dashboard rendered
    epoch: null,
    seq: null,
    resyncing: false,
    lastMsgAt: 0, // Date.now() when the last message arrived
    sock: null,
    conn: 'connecting', // connecting | live | reconnecting | disconnected
    attempt: 0,
    lostAt: Date.now(),
    retryAt: 0,
    retryTimer: 0,
    everLive: false,
    gotSnapshot: false,
    probeAt: 0,
    error: null, // an error the server sent
    problem: null, // why connections fail, as HTTP explains it (token, unknown unit, full)
    stale: false, // the server says it cannot refresh the figures
    lastSeq: null, // the last seq seen, kept across reconnects (`since`)
    reconnects: 0,
    units: null, // scope id -> {name, theme, parent}
    themes: {}, // theme -> its dashboard definition (dashboard-schema/themes), or false while loading
    series: {}, // metric -> [{day, value}]
    seriesAt: 0,
    seriesTimer: 0,
    seriesLoading: false,
    childPage: 0,
    listPage: 0, // the page the ticket lists show (each modulo its own page count)
    turnTimer: 0,
    ageBase: 0, // Date.now() when the ticket ages on the wall were last given (they count on from there)
    toastTimer: 0,
    toastKey: '',
    zone: null, // the deployment's time zone (the dashboard's time_zone): the clock's, whatever the browser's is
    cached: false, // the figures on the wall are the ones kept before this page loaded, not yet confirmed by the server
    keptAt: 0, // Date.now() of the last write to localStorage
    keepTimer: 0,
    worker: false, // the service worker that serves this page offline is active
    offline: 'no', // 'ready' once the page and its figures are kept for a cold start
    map: null, // GET …/map: outlines of this scope's children and its open tickets with coordinates
    mapLoading: false,
    themeDash: {}, // community id -> its dashboard for the period shown (the district's theme panel)
    themesAt: 0,
    themesLoading: false,
  };

  /* ---------------------------------------------------------------- connection */

  function connect() {
    clearTimeout(st.retryTimer);
    st.retryTimer = 0;
    st.retryAt = 0;
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    let ws;
    try {
      // `since` tells the server this is a screen coming back (its snapshot says `resume`).
      const since = st.lastSeq === null ? '' : `&since=${st.lastSeq}`;
      const me = `&screen=${encodeURIComponent(SCREEN_ID)}`;
      ws = new WebSocket(C.withToken(`${proto}//${location.host}/api/v1/ws?scope=${encodeURIComponent(scope)}${since}${me}`));
    } catch (e) {
      lost(null);
      return;
    }
    st.sock = ws;
    st.epoch = null;
    st.seq = null;
    st.resyncing = false;
    st.probeAt = 0;
    st.gotSnapshot = false;
    ws.onmessage = (ev) => {
      if (ws === st.sock) onMessage(ev.data);
    };
    ws.onclose = () => {
      if (ws === st.sock) lost(ws);
    };
    ws.onerror = () => {}; // a close event always follows
    paintConn();
  }

  /** The link is gone (or never came up): schedule the next attempt with jittered back-off. */
  function lost(ws) {
    if (!st.gotSnapshot) diagnose();
    if (ws) {
      ws.onmessage = ws.onclose = ws.onerror = null;
      try {
        ws.close();
      } catch (e) {
        /* already closed */
      }
    }
    st.sock = null;
    st.seq = null;
    if (st.conn === 'live') {
      st.lostAt = Date.now();
      setConn('reconnecting');
    }
    const base = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** st.attempt);
    const delay = Math.round(base * (1 - JITTER + 2 * JITTER * Math.random()));
    st.attempt += 1;
    st.retryAt = Date.now() + delay;
    clearTimeout(st.retryTimer);
    st.retryTimer = setTimeout(connect, delay);
    paintConn();
  }

  /** Tells the server this message is on the wall (screen health: a screen that stops acknowledging shows as behind). */
  function ack(seq) {
    if (typeof seq === 'number') send({ type: 'ack', seq });
  }

  function send(obj) {
    if (st.sock && st.sock.readyState === WebSocket.OPEN) st.sock.send(JSON.stringify(obj));
  }

  function resync(why) {
    st.resyncing = true;
    send({ type: 'resync' });
    toast(why);
  }

  function onMessage(raw) {
    let m;
    try {
      m = JSON.parse(raw);
    } catch (e) {
      return;
    }
    if (!m || typeof m !== 'object') return;
    st.lastMsgAt = Date.now();
    st.probeAt = 0;
    if (m.type === 'snapshot') {
      const recovered = st.everLive && st.conn !== 'live';
      st.epoch = m.epoch;
      st.seq = st.lastSeq = m.seq;
      st.resyncing = false;
      st.gotSnapshot = true;
      st.error = st.problem = null;
      st.stale = m.stale === true;
      st.cached = false;
      st.attempt = 0;
      st.everLive = true;
      if (recovered) st.reconnects += 1;
      setConn('live');
      render(m.data);
      keep();
      ack(m.seq);
      if (recovered) {
        toast('toast.resynced');
        loadUnits();
        loadSeries();
      }
      return;
    }
    // Updates, and errors in the stream, are numbered: check the sequence before using them.
    // (An error before any snapshot, e.g. figures unavailable at connect, is shown as is.)
    if (m.type === 'update' || (m.type === 'error' && typeof m.seq === 'number' && st.seq !== null)) {
      if (st.seq === null || st.resyncing) return; // a snapshot is on its way
      if (m.epoch !== st.epoch) return resync('toast.epoch');
      if (m.seq <= st.seq) return; // already seen
      if (m.seq !== st.seq + 1) return resync('toast.gap');
      st.seq = st.lastSeq = m.seq;
    }
    if (m.type === 'update') {
      st.stale = false;
      render(m.data);
      keep();
      ack(m.seq);
    } else if (m.type === 'error' && m.code === 'stale') {
      st.stale = true; // keep the figures, marked stale, until the next update
      paintConn();
    } else if (m.type === 'error') {
      st.error = m.message || m.code || 'error';
      paintConn();
    }
  }

  /** A connection that never delivered a snapshot: ask HTTP why (browsers hide a refused upgrade's status). */
  async function diagnose() {
    try {
      const r = await fetch(C.withToken(`/api/v1/scopes/${encodeURIComponent(scope)}/dashboard`), { cache: 'no-store' });
      st.problem = { 401: 'banner.auth', 403: 'banner.token_bad', 404: 'banner.gone' }[r.status] || null;
    } catch (e) {
      st.problem = null; // the server is away: the banner says disconnected
    }
    paintConn();
  }

  function setConn(s) {
    st.conn = s;
    document.body.dataset.conn = s;
    paintConn();
  }

  function paintConn() {
    const now = Date.now();
    $('conn-label').textContent = t('conn.' + st.conn);
    let detail = '';
    if (st.conn !== 'live') {
      if (st.sock) detail = t('conn.trying');
      else if (st.retryAt) detail = t('conn.retry', { n: Math.max(1, Math.ceil((st.retryAt - now) / 1000)), k: st.attempt });
    }
    if (st.conn === 'live' && st.stale) detail = t('conn.stale');
    $('conn-detail').textContent = detail;
    document.body.dataset.stale = st.conn === 'live' && st.stale ? 'yes' : 'no';
    document.body.dataset.cached = st.cached ? 'yes' : 'no';
    const banner = $('banner');
    let msg = '';
    const asOf = st.dash ? Date.parse(st.dash.as_of) : NaN;
    if (st.conn !== 'live' && st.problem) msg = t(st.problem);
    else if (st.conn !== 'live' && st.error) msg = t('banner.error', { msg: st.error });
    else if (st.conn === 'live' && st.stale) msg = t('banner.stale', { time: isFinite(asOf) ? clockOf(asOf) : '—' });
    // Kept figures from before this page loaded (a kiosk rebooted in an outage): stale from the first moment, with their age.
    else if (st.cached) msg = t('banner.cached', { time: whenOf(st.lastMsgAt), ago: ageText(now, 'ago') });
    else if (st.conn === 'disconnected' && st.lastMsgAt) msg = t('banner.down', { time: whenOf(st.lastMsgAt), age: ageText(now) });
    else if (st.conn === 'disconnected') msg = t('banner.down', { time: '—', age: t('age.never') });
    banner.classList.toggle('warn', (st.conn === 'live' && st.stale) || (st.cached && st.conn !== 'disconnected'));
    if (banner.hidden !== !msg) {
      banner.hidden = !msg;
      requestAnimationFrame(fitLists); // the banner takes room from the panels
    }
    banner.textContent = msg;
  }

  /** How long ago the last message arrived: "updated 8 s ago" (`age`), or just "8 s ago" (`ago`). */
  function ageText(now, key = 'age') {
    if (!st.lastMsgAt) return t('age.never');
    const s = Math.max(0, Math.floor((now - st.lastMsgAt) / 1000));
    if (s < 120) return t(key + '.s', { n: s });
    if (s < 7200) return t(key + '.m', { n: Math.floor(s / 60) });
    return t(key + '.h', { n: Math.floor(s / 3600) });
  }

  /** `opts` in the deployment's time zone once a dashboard has named it (else the browser's). */
  function zoned(opts) {
    return st.zone ? Object.assign({ timeZone: st.zone }, opts) : opts;
  }

  function locale() {
    return C.lang() === 'en' ? 'en-GB' : 'zh-CN';
  }

  /** A time of day on the wall: in the deployment's zone, like its statistics day. */
  function clockOf(ms) {
    return new Date(ms).toLocaleTimeString(locale(), zoned({ hour12: false }));
  }

  /** A time of day, with its date when it is not today (figures kept overnight). */
  function whenOf(ms) {
    const day = (x) => new Date(x).toLocaleDateString('en-CA', zoned({})); // YYYY-MM-DD
    if (day(ms) === day(Date.now())) return clockOf(ms);
    return `${new Date(ms).toLocaleDateString(locale(), zoned({ month: 'short', day: 'numeric' }))} ${clockOf(ms)}`;
  }

  /** Takes the deployment's zone from a dashboard, if the browser knows it. */
  function setZone(zone) {
    if (!zone || zone === st.zone) return;
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone }); // throws for a zone this browser lacks
      st.zone = zone;
    } catch (e) {
      /* keep the last known zone */
    }
  }

  /** Four times a second: age of data, state changes, countdowns, the heartbeat probe, the clock. */
  function tick() {
    const now = Date.now();
    if ((st.conn === 'reconnecting' || st.conn === 'connecting') && now - st.lostAt > DOWN_AFTER_MS) setConn('disconnected');
    if (st.conn === 'live' && st.sock) {
      if (st.probeAt && now - st.probeAt > PROBE_TIMEOUT_MS) lost(st.sock);
      else if (!st.probeAt && now - st.lastMsgAt > PROBE_AFTER_MS) {
        st.probeAt = now;
        send({ type: 'resync' });
      }
    }
    const age = $('age');
    age.textContent = ageText(now);
    age.classList.toggle('old', st.conn !== 'live' || now - st.lastMsgAt > PROBE_AFTER_MS + PROBE_TIMEOUT_MS);
    paintConn();
    tickAges(now);
    // The clock is the deployment's, as the statistics day is: a kiosk left in UTC would
    // otherwise show 16:06 on the 2nd beside figures of the 3rd. Until a dashboard (or the
    // kept one) names the zone, the clock shows dashes rather than a time that may be wrong.
    const d = new Date(now);
    const en = C.lang() === 'en';
    $('clock-time').textContent = st.zone ? d.toLocaleTimeString(locale(), zoned({ hour12: false })) : '--:--:--';
    $('clock-date').textContent = st.zone
      ? d.toLocaleDateString(locale(), zoned({ year: 'numeric', month: en ? 'short' : 'long', day: 'numeric', weekday: 'long' }))
      : '';
  }

  function toast(key) {
    const el = $('toast');
    st.toastKey = key;
    el.textContent = t(key);
    el.hidden = false;
    el.classList.remove('show');
    void el.offsetWidth; // restart the animation
    el.classList.add('show');
    clearTimeout(st.toastTimer);
    st.toastTimer = setTimeout(() => {
      el.hidden = true;
    }, 5000);
  }

  /* ---------------------------------------------------------------- cold start */

  /*
   * A kiosk that reboots during an outage must not come up empty: the page keeps the last
   * figures it showed in localStorage, and the service worker (assets/screen-sw.js) keeps
   * the page itself. On a cold start the kept figures go up at once, marked stale with
   * their age (banner, dimmed panels), until the server's snapshot replaces them.
   */

  /** Keeps what is on the wall, at most every KEEP_EVERY_MS (the first snapshot at once). */
  function keep() {
    if (st.keepTimer) return;
    const wait = Math.max(0, st.keptAt + KEEP_EVERY_MS - Date.now());
    st.keepTimer = setTimeout(() => {
      st.keepTimer = 0;
      st.keptAt = Date.now();
      const themes = {};
      for (const [th, def] of Object.entries(st.themes)) if (def) themes[th] = def;
      const kept = {
        v: 1, at: st.lastMsgAt, dash: st.dash, series: st.series, units: unitsFor(st.dash), themes, map: st.map, themeDash: st.themeDash,
      };
      try {
        localStorage.setItem(KEEP_KEY, JSON.stringify(kept));
      } catch (e) {
        return; // storage full or disabled: the wall still works while connected
      }
      checkOffline();
    }, wait);
  }

  /** The tree, a theme's definition or the series arrived: keep them with the live figures. */
  function keepSideData() {
    if (st.dash && !st.cached && st.keptAt) keep();
  }

  /**
   * The part of the scope tree the dashboard needs (breadcrumbs, the inherited theme, the
   * ranked grids' communities): a district of a 75,000-scope city keeps a few entries,
   * not the whole tree.
   */
  function unitsFor(d) {
    if (!st.units || !d) return null;
    const out = {};
    const tickets = [].concat(d.overdue || [], d.open_tickets || []).map((l) => l.scope).filter(Boolean);
    const starts = [d.scope, ...(d.top_grids || []).map((g) => g.scope), ...tickets, ...Object.keys(st.themeDash)];
    for (const start of starts) {
      for (let id = start; id && st.units[id] && !out[id]; id = st.units[id].parent) out[id] = st.units[id];
    }
    return out;
  }

  /** Shows the kept figures of this scope, if any, as stale: before the first connection. */
  function restore() {
    let kept = null;
    try {
      kept = JSON.parse(localStorage.getItem(KEEP_KEY) || 'null');
    } catch (e) {
      return; // unreadable or no storage: start empty, as before
    }
    if (!kept || kept.v !== 1 || !kept.dash || kept.dash.scope !== scope || !kept.dash.figures) return;
    st.cached = true;
    st.lastMsgAt = kept.at || Date.parse(kept.dash.as_of) || 0;
    st.series = kept.series || {};
    st.units = kept.units || null;
    Object.assign(st.themes, kept.themes || {});
    st.map = kept.map || null;
    st.themeDash = kept.themeDash || {};
    render(kept.dash);
  }

  /** Registers the service worker that hands out this page when the server cannot. */
  function registerWorker() {
    // Absent outside a secure context (plain http to a host other than localhost): then a
    // cold start during an outage gets the browser's error page (docs/screen.md).
    if (!('serviceWorker' in navigator)) return;
    navigator.serviceWorker
      .register('/assets/screen-sw.js', { scope: '/screen/' })
      .then(() => navigator.serviceWorker.ready)
      .then(() => {
        st.worker = true;
        checkOffline();
      })
      .catch(() => {
        /* no worker: everything else works as before */
      });
  }

  /** Whether a cold start now would find this page and its figures (status().offline). */
  function checkOffline() {
    if (!st.worker || !st.keptAt || !('caches' in window)) return;
    caches
      .match(location.pathname)
      .then((copy) => {
        st.offline = copy ? 'ready' : 'no';
      })
      .catch(() => {});
  }

  /* ---------------------------------------------------------------- side data */

  /** The scope tree, for breadcrumbs, a grid's inherited theme and grid names in context. */
  async function loadUnits() {
    try {
      const r = await fetch(C.withToken('/api/v1/scopes'), { cache: 'no-store' });
      if (!r.ok) return;
      const body = await r.json();
      const units = {};
      const walk = (nodes, parent) => {
        for (const n of nodes || []) {
          units[n.id] = { name: n.name, theme: n.theme || null, parent };
          walk(n.children, n.id);
        }
      };
      walk(body.scopes, null);
      st.units = units;
      if (st.dash) render(st.dash);
      keepSideData();
    } catch (e) {
      /* breadcrumbs wait for the next reconnect */
    }
  }

  /**
   * The theme's dashboard definition (GET /api/v1/themes/{theme}, from
   * dashboard-schema/themes/): it names the lead panel, its title and the ticket
   * categories it highlights. The built-in layout per theme is the fallback.
   */
  async function loadTheme(th) {
    if (!th || th in st.themes) return;
    st.themes[th] = false;
    try {
      const r = await fetch(`/api/v1/themes/${encodeURIComponent(th)}`, { cache: 'no-store' });
      if (r.ok) st.themes[th] = await r.json();
      if (st.dash) render(st.dash);
      keepSideData();
    } catch (e) {
      delete st.themes[th]; // try again on the next render
    }
  }

  /** The lead panel of a theme's definition, if loaded. */
  function leadPanel(th) {
    const def = st.themes[th];
    return def ? (def.panels || []).find((p) => p.id === def.lead) || null : null;
  }

  function seriesMetrics() {
    const m = ['tickets_reported', 'tickets_resolved'];
    const th = themeOf(st.dash);
    if (th === 'health') m.push('attendance');
    if (th === 'smart') m.push('mean_resolve_seconds');
    return m;
  }

  async function loadSeries() {
    const metrics = seriesMetrics();
    st.seriesLoading = true;
    try {
      const all = await Promise.all(
        metrics.map((m) =>
          fetch(C.withToken(`/api/v1/scopes/${encodeURIComponent(scope)}/series?metric=${m}&days=7`), { cache: 'no-store' }).then((r) =>
            r.ok ? r.json() : Promise.reject(new Error(String(r.status))),
          ),
        ),
      );
      all.forEach((s, i) => {
        st.series[metrics[i]] = Array.isArray(s.points) ? s.points : [];
      });
      st.seriesAt = Date.now();
      if (st.dash) {
        patchToday(st.dash);
        renderTrend();
        renderLead(st.dash);
        fitFigures(); // the lead panel's figures are new elements
      }
      keepSideData();
    } catch (e) {
      /* keep the last series; the next minute tries again */
    } finally {
      st.seriesLoading = false;
    }
  }

  /** After an update, refetch the series soon (late records may change earlier days). */
  function seriesSoon() {
    if (st.seriesTimer) return;
    const wait = Math.max(2000, 15000 - (Date.now() - st.seriesAt));
    st.seriesTimer = setTimeout(() => {
      st.seriesTimer = 0;
      loadSeries();
    }, wait);
  }

  /**
   * The map of this scope (GET …/map): its children's outlines from the scopes file and its
   * open tickets that carry coordinates. The shading is the live dashboard's, so only this
   * slow part is fetched, every MAP_EVERY_MS and when the scope changes.
   */
  async function loadMap() {
    // A unit with nothing below it (a grid) has nothing to draw: ask again only if that changes.
    if (st.mapLoading || (st.dash && st.map && st.map.scope === st.dash.scope && !(st.dash.children || []).length)) return;
    st.mapLoading = true;
    try {
      const r = await fetch(C.withToken(`/api/v1/scopes/${encodeURIComponent(scope)}/map`), { cache: 'no-store' });
      if (r.ok) {
        st.map = await r.json();
        refreshSide();
        keepSideData();
      }
    } catch (e) {
      /* keep the last map; the next round tries again */
    } finally {
      st.mapLoading = false;
    }
  }

  /**
   * The theme communities a district wall lists: every unit under it with a theme, on a
   * screen of a unit with no parent or whose children are streets (its grandchildren are
   * themed communities). Empty elsewhere, and until the tree has loaded.
   */
  function themeCommunities(d) {
    if (!st.units || !d || !st.units[d.scope]) return [];
    const all = Object.entries(st.units);
    const under = (id, top) => id.startsWith(top + '.');
    const depth = (id) => id.split('.').length;
    const root = !st.units[d.scope].parent;
    const overStreets = all.some(([id, u]) => u.theme && under(id, d.scope) && depth(id) === depth(d.scope) + 2);
    if (!root && !overStreets) return [];
    return all
      .filter(([id, u]) => u.theme && under(id, d.scope))
      .map(([id, u]) => ({ id, name: u.name, theme: u.theme }))
      .sort((a, b) => THEMES.indexOf(a.theme) - THEMES.indexOf(b.theme) || (a.id < b.id ? -1 : 1));
  }

  /** The period the wall shows (a day unless the dashboard says otherwise). */
  function periodKind() {
    const k = st.dash && st.dash.period && st.dash.period.kind;
    return /^(day|week|month|year|all)$/.test(k || '') ? k : 'day';
  }

  /** Each theme community's dashboard for the period shown, with this screen's token. */
  async function loadThemeFigures() {
    const list = themeCommunities(st.dash);
    if (!list.length || st.themesLoading) return;
    st.themesLoading = true;
    const kind = periodKind();
    try {
      const got = await Promise.all(
        list.map((c) =>
          fetch(C.withToken(`/api/v1/scopes/${encodeURIComponent(c.id)}/dashboard?period=${kind}`), { cache: 'no-store' })
            .then((r) => (r.ok ? r.json() : null))
            .catch(() => null),
        ),
      );
      list.forEach((c, i) => {
        if (got[i] && got[i].figures) st.themeDash[c.id] = got[i];
        loadTheme(c.theme);
      });
      st.themesAt = Date.now();
      refreshSide();
      keepSideData();
    } finally {
      st.themesLoading = false;
    }
  }

  /** Today's point of every series is the live figure, so the charts move with each update. */
  function patchToday(d) {
    for (const [metric, pts] of Object.entries(st.series)) {
      const last = pts[pts.length - 1];
      if (!last) continue;
      if (last.day === d.day && metric in d.figures) last.value = d.figures[metric];
      else if (last.day < d.day) seriesSoon(); // a new day began
    }
  }

  function themeOf(d) {
    if (!d) return null;
    let th = d.theme || null;
    let id = d.scope;
    while (!th && st.units && st.units[id]) {
      th = st.units[id].theme;
      id = st.units[id].parent;
    }
    return THEMES.includes(th) ? th : null;
  }

  /** A grid's name with its community's, unless the community is this screen's scope. */
  function unitLabel(id, name) {
    const u = st.units && st.units[id];
    const p = u && u.parent && u.parent !== scope ? st.units[u.parent] : null;
    return p ? `${p.name} · ${name || u.name}` : name || (u && u.name) || id;
  }

  /* ---------------------------------------------------------------- rendering */

  function render(d) {
    if (!d || !d.figures) return;
    const prev = st.dash;
    // Ticket ages count on from when this dashboard arrived (a re-render keeps that time).
    if (d !== prev) st.ageBase = st.lastMsgAt || Date.now();
    st.dash = d;
    setZone(d.time_zone);
    renderHeader(d);
    renderAlerts(d);
    renderKpis(d, prev);
    renderLedger(d);
    patchToday(d);
    renderLead(d);
    renderChildren(d);
    renderCategories(d);
    renderPipeline(d);
    renderTopGrids(d);
    renderTickets(d);
    renderSide(d);
    renderTrend();
    renderFoot(d);
    fitLists();
    requestAnimationFrame(fitLists); // again once fonts and layout have settled
    if (!st.seriesLoading && seriesMetrics().some((m) => !(m in st.series))) loadSeries(); // the theme wants its own series
    else if (prev) seriesSoon();
    if (st.map && st.map.scope !== d.scope) loadMap(); // a map of another unit: fetch this one's
    if (!st.themesAt && themeCommunities(d).length) loadThemeFigures();
  }

  function renderHeader(d) {
    $('scope-name').textContent = d.name || d.scope;
    document.title = `${d.name || d.scope} · ${t('title')}`;
    const th = themeOf(d);
    document.body.style.setProperty('--accent', C.THEME_COLOURS[th] || '#37d9ff');
    document.body.dataset.theme = th || 'overview';
    const badge = $('theme-badge');
    badge.hidden = !th;
    badge.textContent = th ? t('theme.badge', { name: C.themeName(th) }) : '';
    const crumbs = [];
    let id = st.units && st.units[d.scope] ? st.units[d.scope].parent : null;
    while (id && st.units[id]) {
      crumbs.unshift(h('a', { href: screenHref(id) }, st.units[id].name));
      id = st.units[id].parent;
    }
    $('crumbs').replaceChildren(...crumbs.flatMap((c, i) => (i ? [h('span', { class: 'sep' }, '›'), c] : [c])));
  }

  const screenHref = C.screenHref;

  function renderKpis(d, prev) {
    const f = d.figures;
    for (const k of KPIS) {
      const box = document.querySelector(`[data-kpi="${k}"]`);
      const num = box.querySelector('.num');
      const v = f[k];
      num.textContent = fmtNum(v);
      num.dataset.value = String(v);
      if (prev && prev.scope === d.scope && prev.figures[k] !== v) bump(box, v > prev.figures[k]);
      if (k === 'tickets_overdue') box.classList.toggle('alert', v > 0);
    }
    const sub = (k, text) => {
      document.querySelector(`[data-kpi="${k}"] .sub`).textContent = text;
    };
    sub('tickets_open', t('sub.reported', { n: fmtNum(f.tickets_reported) }));
    const share = f.tickets_open ? fmtPct(f.tickets_overdue / f.tickets_open) : '—';
    sub(
      'tickets_overdue',
      typeof f.tickets_due_soon === 'number' ? t('sub.due_soon', { n: fmtNum(f.tickets_due_soon), p: share }) : t('sub.overdue_share', { p: share }),
    );
    sub(
      'tickets_resolved',
      f.mean_resolve_seconds === null || f.mean_resolve_seconds === undefined
        ? t('sub.mean_none')
        : t('sub.mean', { d: fmtDuration(f.mean_resolve_seconds) }),
    );
    sub('events_held', t('sub.scheduled', { n: fmtNum(f.events_scheduled) }));
    sub('attendance', t('sub.unique', { n: fmtNum(f.unique_attendees) }));
  }

  function bump(el, up) {
    el.classList.remove('bump-up', 'bump-down');
    void el.offsetWidth;
    el.classList.add(up ? 'bump-up' : 'bump-down');
  }

  function stat(label, value, unit, cls) {
    return h(
      'div',
      { class: 'stat ' + (cls || '') },
      h('div', { class: 'stat-v' }, h('b', { class: 'fit' }, value), unit ? h('small', null, unit) : null),
      h('div', { class: 'stat-l' }, label),
    );
  }

  /** A rate in 0..1 as a percentage; '—' when the server has none (nothing to rate yet). */
  function rate(x) {
    return typeof x === 'number' && isFinite(x) ? fmtPct(x) : '—';
  }

  function durStat(label, sec, cls) {
    const p = C.durParts(sec);
    if (!p) return stat(label, '—', '', cls);
    const [v, u] = t(p.key, { n: '\u0000' }).split('\u0000');
    return stat(label, String(p.n), (v + u).trim(), cls);
  }

  /** A ring gauge: `frac` of a circle in the accent colour, `text` in the middle. */
  function ring(frac, text, note) {
    const r = 42;
    const len = 2 * Math.PI * r;
    const f = Math.max(0, Math.min(1, isFinite(frac) ? frac : 0));
    return h(
      'div',
      { class: 'ring' },
      svg(
        'svg',
        { viewBox: '0 0 100 100' },
        svg('circle', { cx: 50, cy: 50, r, class: 'ring-bg' }),
        svg('circle', {
          cx: 50, cy: 50, r, class: 'ring-fg', 'stroke-dasharray': `${(f * len).toFixed(1)} ${len.toFixed(1)}`, transform: 'rotate(-90 50 50)',
        }),
      ),
      h('div', { class: 'ring-text' }, h('b', { class: 'fit' }, text), h('small', null, note)),
    );
  }

  function renderLead(d) {
    const th = themeOf(d);
    loadTheme(th || 'default');
    const lead = leadPanel(th || 'default');
    const panel = $('lead-panel');
    panel.className = 'panel lead lead-' + (th || 'overview');
    $('lead-title').textContent = lead ? lead.title[C.lang() === 'en' ? 'en' : 'zh'] : t('lead.' + (th || 'overview'));
    const highlighted = (lead && lead.categories) || [];
    const f = d.figures;
    const cat = (name) => (d.categories || []).find((c) => c.category === name) || { category: name, reported: 0, open: 0 };
    let body;
    if (th === 'health') {
      // Only what the definition's panel names (health lectures), not every dance class: from
      // the period's events by category and type. A server without them gives totals only.
      const ev = Array.isArray(d.events_by_kind) ? eventsOf(d, (lead && lead.events) || HEALTH_EVENTS) : f;
      body = [
        h(
          'div',
          { class: 'stats four', id: 'health-stats' },
          stat(t('lead.events_held'), fmtNum(ev.events_held), t('unit.events'), 'accent big'),
          stat(t('lead.attendance'), fmtNum(ev.attendance), t('unit.people'), 'accent big'),
          stat(t('lead.scheduled'), fmtNum(ev.events_scheduled), t('unit.events')),
          stat(t('lead.all_events'), fmtNum(f.events_held), t('unit.events')),
        ),
        spark('attendance', t('lead.attendance_7d'), fmtChart),
      ];
    } else if (th === 'rule-of-law') {
      const c = cat(highlighted[0] || 'dispute');
      const share = f.tickets_open ? c.open / f.tickets_open : NaN;
      body = h(
        'div',
        { class: 'split' },
        ring(share, isFinite(share) ? fmtPct(share) : '—', t('lead.disputes_share')),
        h(
          'div',
          { class: 'stats col' },
          stat(t('lead.disputes_today'), fmtNum(c.reported), t('unit.tickets'), 'accent big'),
          stat(t('lead.disputes_open'), fmtNum(c.open), t('unit.tickets'), c.open ? 'warn' : ''),
          typeof c.resolved === 'number'
            ? stat(t('lead.disputes_resolved'), fmtNum(c.resolved), t('unit.tickets'), 'good')
            : durStat(t('lead.mean'), f.mean_resolve_seconds),
        ),
      );
    } else if (th === 'heritage') {
      body = h(
        'div',
        { class: 'duo' },
        (highlighted.length >= 2 ? highlighted.slice(0, 2) : ['garbage', 'parking']).map((name) => {
          const c = cat(name);
          return h(
            'div',
            { class: 'duo-card', dataset: { category: name } },
            h('div', { class: 'duo-name' }, C.categoryName(name)),
            h('div', { class: 'duo-v fit' + (c.open ? ' warn' : '') }, fmtNum(c.open)),
            h('div', { class: 'duo-l' }, t('lead.open_now')),
            h('div', { class: 'duo-foot' }, `${t('lead.reported_today')} ${fmtNum(c.reported)}`),
          );
        }),
      );
    } else if (th === 'smart') {
      const speed = [
        stat(t('lead.resolved_today'), fmtNum(f.tickets_resolved), t('unit.tickets'), 'good'),
        'mean_dispatch_seconds' in f
          ? durStat(t('lead.dispatch_mean'), f.mean_dispatch_seconds)
          : stat(t('lead.reported_today'), fmtNum(f.tickets_reported), t('unit.tickets')),
        'p90_resolve_seconds' in f
          ? durStat(t('lead.p90'), f.p90_resolve_seconds)
          : stat(t('lead.closure'), f.tickets_reported ? fmtPct(f.tickets_resolved / f.tickets_reported) : '—', ''),
        'resolved_on_time_rate' in f ? stat(t('lead.on_time'), rate(f.resolved_on_time_rate), '', 'accent') : null,
      ];
      body = [
        h('div', { class: 'split' }, durStat(t('lead.mean'), f.mean_resolve_seconds, 'hero accent'), h('div', { class: 'stats rows' }, speed)),
        spark('mean_resolve_seconds', t('lead.mean_7d'), (v) => fmtDuration(v)),
      ];
    } else if (th === 'home' && d.ledger) {
      // 和家: the public-revenue ledger leads (docs/ledger.md), open matters beside it.
      const l = d.ledger;
      body = h(
        'div',
        { class: 'split ledger' },
        stat(t('ledger.balance'), fmtYuan(l.balance_fen), t('unit.yuan'), 'hero accent' + (l.balance_fen < 0 ? ' warn' : '')),
        h(
          'div',
          { class: 'stats grid2' },
          stat(t('ledger.income'), fmtYuan(l.income_fen), t('unit.yuan'), 'good'),
          stat(t('ledger.spending'), fmtYuan(l.spending_fen), t('unit.yuan')),
          stat(t('ledger.entries'), fmtNum(l.entries), t('unit.entries')),
          stat(t('lead.open_total'), fmtNum(f.tickets_open), t('unit.tickets'), f.tickets_open ? 'warn' : ''),
        ),
      );
    } else if (th === 'home') {
      const cats = (d.categories || []).filter((c) => c.open > 0).slice(0, 6);
      body = h(
        'div',
        { class: 'split home' },
        stat(t('lead.open_total'), fmtNum(f.tickets_open), t('unit.tickets'), 'hero accent'),
        cats.length
          ? h(
            'div',
            { class: 'tiles' },
            cats.map((c) => h('div', { class: 'tile' }, h('b', { class: 'fit' }, fmtNum(c.open)), h('span', null, C.categoryName(c.category)))),
          )
          : h('div', { class: 'empty' }, t('lead.none')),
      );
    } else if ('resolved_on_time_rate' in f) {
      // The closed loop at a glance: how much is resolved by its deadline, and how fast.
      const onTime = typeof f.resolved_on_time_rate === 'number' ? f.resolved_on_time_rate : NaN;
      body = h(
        'div',
        { class: 'split' },
        ring(onTime, rate(f.resolved_on_time_rate), t('lead.on_time')),
        h(
          'div',
          { class: 'stats grid2' },
          stat(t('lead.reported'), fmtNum(f.tickets_reported), t('unit.tickets'), 'accent'),
          stat(t('lead.dispatched'), fmtNum(f.tickets_dispatched), t('unit.tickets')),
          durStat(t('lead.mean'), f.mean_resolve_seconds),
          stat(t('lead.due_soon'), fmtNum(f.tickets_due_soon), t('unit.tickets'), f.tickets_due_soon ? 'warn' : ''),
        ),
      );
    } else {
      const closure = f.tickets_reported ? f.tickets_resolved / f.tickets_reported : NaN;
      body = h(
        'div',
        { class: 'split' },
        ring(closure, isFinite(closure) ? fmtPct(closure) : '—', t('lead.closure')),
        h(
          'div',
          { class: 'stats grid2' },
          stat(t('lead.reported'), fmtNum(f.tickets_reported), t('unit.tickets'), 'accent'),
          durStat(t('lead.mean'), f.mean_resolve_seconds),
          stat(t('lead.closed'), fmtNum(f.tickets_closed), t('unit.tickets'), 'good'),
          stat(t('lead.reopened'), fmtNum(f.tickets_reopened), t('unit.tickets'), f.tickets_reopened ? 'warn' : ''),
        ),
      );
    }
    $('lead').replaceChildren(...[].concat(body, voice(d)));
  }

  /** Fen as yuan, whole yuan on the wall (exact cents are in the CSV export). */
  function fmtYuan(fen) {
    return fmtNum(Math.round(fen / 100));
  }

  /** What residents say: the busiest survey's returns, and "was it fixed?" today. */
  function voice(d) {
    const surveys = Object.entries(d.surveys || {}).filter(([id]) => id !== 'satisfaction');
    surveys.sort((a, b) => b[1] - a[1]);
    const parts = [];
    if (surveys.length) {
      const n = surveys[0][1];
      const rate = d.households ? ' · ' + t('voice.rate', { p: fmtPct(n / d.households) }) : '';
      parts.push(t('voice.survey', { n: fmtNum(n) }) + rate);
    }
    const f = d.figures;
    if (typeof f.satisfaction_rate === 'number') parts.push(t('voice.satisfaction', { p: fmtPct(f.satisfaction_rate) }));
    if (f.tickets_reopened_unfixed) parts.push(t('voice.unfixed', { n: fmtNum(f.tickets_reopened_unfixed) }));
    return parts.length ? [h('div', { class: 'voice', id: 'voice' }, parts.join(' · '))] : [];
  }

  /** A small 7-day bar chart of one series, today highlighted. */
  function spark(metric, label, fmt) {
    const pts = st.series[metric] || [];
    const box = h('div', { class: 'spark' }, h('div', { class: 'spark-l' }, label));
    const vals = pts.map((p) => (typeof p.value === 'number' ? p.value : 0));
    const max = Math.max(1, ...vals);
    const W = 700;
    const H = 120;
    const bw = W / Math.max(7, pts.length);
    const g = svg('svg', { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', class: 'spark-svg' });
    pts.forEach((p, i) => {
      const v = vals[i];
      const bh = Math.max(2, (v / max) * (H - 6));
      g.append(
        svg('rect', {
          x: (i * bw + bw * 0.18).toFixed(1), y: (H - bh).toFixed(1), width: (bw * 0.64).toFixed(1), height: bh.toFixed(1),
          class: i === pts.length - 1 ? 'today' : '', rx: 3,
        }),
      );
    });
    const labels = h(
      'div',
      { class: 'spark-x' },
      pts.map((p, i) => h('span', { class: 'fit' + (i === pts.length - 1 ? ' today' : '') }, p.value === null ? '—' : fmt(p.value))),
    );
    box.append(g, labels);
    return box;
  }

  function renderChildren(d) {
    const body = $('children');
    const kids = d.children || [];
    if (!kids.length) {
      body.replaceChildren(h('div', { class: 'empty' }, t('children.none')));
      $('children-page').textContent = '';
      return;
    }
    const maxOpen = Math.max(1, ...kids.map((c) => c.figures.tickets_open));
    const head = h(
      'tr',
      null,
      h('th', { class: 'unit' }, t('col.unit')),
      ['open', 'overdue', 'resolved', 'events', 'attendance'].map((k) => h('th', null, t('col.' + k))),
    );
    const rows = kids.map((c) => {
      const f = c.figures;
      return h(
        'tr',
        { dataset: { scope: c.scope } },
        h(
          'td',
          { class: 'unit' },
          h('a', { href: screenHref(c.scope) }, c.name || c.scope),
          c.theme ? h('span', { class: 'chip', dataset: { theme: c.theme } }, C.themeName(c.theme)) : null,
        ),
        h(
          'td',
          { class: 'n open' },
          h('span', { class: 'cellbar', style: { width: `${(f.tickets_open / maxOpen) * 100}%` } }),
          h('span', { class: 'v' }, fmtNum(f.tickets_open)),
        ),
        h('td', { class: 'n overdue' + (f.tickets_overdue > 0 ? ' hot' : '') }, fmtNum(f.tickets_overdue)),
        h('td', { class: 'n resolved' }, fmtNum(f.tickets_resolved)),
        h('td', { class: 'n' }, fmtNum(f.events_held)),
        h('td', { class: 'n' }, fmtNum(f.attendance)),
      );
    });
    body.replaceChildren(h('table', { class: 'units' }, h('thead', null, head), h('tbody', null, rows)));
  }

  /** Hides the rows of a list that would spill out of its panel (a wall has no scroll bar). */
  function fitRows(body) {
    const rows = [...body.children];
    rows.forEach((r) => {
      r.hidden = false;
    });
    const bottom = body.getBoundingClientRect().bottom + 1;
    rows.forEach((r) => {
      if (r.getBoundingClientRect().bottom > bottom) r.hidden = true;
    });
  }

  function fitLists() {
    fitFigures();
    fitRows($('categories'));
    fitRows($('top-grids'));
    paginateChildren();
    paginateLists();
    // The chart is drawn to its panel's size in pixels: redraw it when an alert strip or a
    // banner has changed that size, or its bottom labels are cut off.
    const chart = $('trend').querySelector('svg');
    if (chart && Math.abs(chart.height.baseVal.value - $('trend').clientHeight) > 1) renderTrend();
    const map = $('map').querySelector('svg');
    const box = $('map');
    if (map && st.dash && (Math.abs(map.height.baseVal.value - box.clientHeight) > 1 || Math.abs(map.width.baseVal.value - box.clientWidth) > 1)) {
      renderSide(st.dash);
    }
  }

  /**
   * A figure wider than its box (`.fit`: headline numbers, the loop's steps, the lead
   * panel's values) shrinks until every digit shows, never below the wall's smallest
   * text: 1,234,567 must read as 1,234,567, not "1,23…" or a number cut at the edge.
   */
  function fitFigures() {
    const floor = remPx() * MIN_TEXT_REM;
    for (const el of document.querySelectorAll('.fit')) {
      el.style.fontSize = '';
      // Text does not shrink quite in proportion (letter spacing, rounding): a few rounds.
      for (let i = 0; i < 4 && el.scrollWidth > el.clientWidth; i++) {
        const size = parseFloat(getComputedStyle(el).fontSize);
        if (size <= floor) break;
        const next = Math.floor(size * (el.clientWidth / el.scrollWidth) * 10) / 10 - 0.5;
        el.style.fontSize = `${Math.max(floor, next)}px`;
      }
    }
  }

  /**
   * The units table lays itself out by content: each figure column as wide as its widest
   * figure, the names take the rest. When that leaves a name less than 8 rem (seven digits
   * in every column), the figures shrink, never below the smallest text.
   */
  function fitUnits(body) {
    const table = body.querySelector('table.units');
    const name = body.querySelector('th.unit');
    if (!table || !name) return;
    table.style.removeProperty('--units-n');
    const rem = remPx();
    const room = body.clientWidth;
    for (let i = 0; i < 3; i++) {
      const nameW = name.getBoundingClientRect().width;
      const tableW = table.getBoundingClientRect().width;
      if (nameW >= 8 * rem && tableW <= room + 0.5) return;
      const size = parseFloat(getComputedStyle(table).getPropertyValue('--units-n')) || 1.75;
      const figures = tableW - nameW;
      const next = Math.max(MIN_TEXT_REM, (size * (room - 8 * rem)) / figures - 0.02);
      if (next >= size) return;
      table.style.setProperty('--units-n', `${next.toFixed(3)}rem`);
    }
  }

  function remPx() {
    return parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
  }

  /** Shows the page of children that fits; a wall has no scroll bar, so pages rotate. */
  function paginateChildren() {
    const body = $('children');
    const rows = [...body.querySelectorAll('tbody tr')];
    const thead = body.querySelector('thead');
    if (!rows.length || !thead) return;
    rows.forEach((r) => {
      r.hidden = false;
    });
    fitUnits(body); // with every row shown, so the columns do not change from page to page
    const rowH = rows[0].getBoundingClientRect().height || 1;
    const per = Math.max(1, Math.floor((body.clientHeight - thead.getBoundingClientRect().height) / rowH));
    const pages = Math.ceil(rows.length / per);
    if (st.childPage >= pages) st.childPage = 0;
    rows.forEach((r, i) => {
      r.hidden = Math.floor(i / per) !== st.childPage;
    });
    $('children-page').textContent = pages > 1 ? t('children.page', { i: st.childPage + 1, n: pages }) : '';
  }

  function renderCategories(d) {
    const body = $('categories');
    const cats = (d.categories || []).slice(0, 10);
    if (!cats.length) {
      body.replaceChildren(h('div', { class: 'empty' }, t('cats.none')));
      return;
    }
    const max = Math.max(1, ...cats.map((c) => Math.max(c.open, c.reported)));
    const pct = (v) => `${(v / max) * 100}%`;
    body.replaceChildren(
      ...cats.map((c) =>
        h(
          'div',
          { class: 'cat', dataset: { category: c.category } },
          h('div', { class: 'cat-name' }, C.categoryName(c.category)),
          h(
            'div',
            { class: 'cat-bars' },
            h('div', { class: 'bar b-open', style: { width: pct(c.open) } }),
            h('div', { class: 'bar b-rep', style: { width: pct(c.reported) } }),
          ),
          h('div', { class: 'cat-v' }, h('b', null, fmtNum(c.open)), h('span', null, ` / ${fmtNum(c.reported)}`)),
        ),
      ),
    );
  }

  function renderPipeline(d) {
    const s = d.tickets_by_status || {};
    const f = d.figures;
    const steps = PIPELINE.map((k, i) =>
      h(
        'div',
        { class: `step s-${k}`, dataset: { status: k } },
        h('div', { class: 'step-n' }, String(i + 1)),
        h('b', { class: 'fit' }, fmtNum(s[k] || 0)),
        h('span', null, t('status.' + k)),
      ),
    );
    $('pipeline').replaceChildren(
      h('div', { class: 'steps' }, steps),
      h(
        'div',
        { class: 'pipe-foot' },
        h('span', { class: 'chip-line' + ((s.reopened || 0) > 0 ? ' warn' : ''), dataset: { status: 'reopened' } },
          `${t('status.reopened')} ${fmtNum(s.reopened || 0)}`),
        h('span', { class: 'chip-line good' }, t('pipeline.closed', { n: fmtNum(f.tickets_closed) })),
        h('span', { class: 'chip-line' }, t('pipeline.reopened', { n: fmtNum(f.tickets_reopened) })),
      ),
    );
  }

  function renderTopGrids(d) {
    const body = $('top-grids');
    const grids = (d.top_grids || []).filter((g) => g.tickets_open > 0).slice(0, 8);
    if (!grids.length) {
      const leaf = !(d.children || []).length && d.figures.tickets_open > 0;
      body.replaceChildren(h('div', { class: 'empty' }, t(leaf ? 'grids.leaf' : 'grids.none')));
      return;
    }
    const max = Math.max(1, ...grids.map((g) => g.tickets_open));
    body.replaceChildren(
      ...grids.map((g, i) =>
        h(
          'div',
          { class: 'rank' + (i < 3 ? ' podium' : ''), dataset: { scope: g.scope } },
          h('span', { class: 'rank-n' }, String(i + 1)),
          h('span', { class: 'rank-name' }, unitLabel(g.scope, g.name)),
          h('span', { class: 'rank-bar' }, h('i', { style: { width: `${(g.tickets_open / max) * 100}%` } })),
          h('b', { class: 'rank-v' }, fmtNum(g.tickets_open)),
        ),
      ),
    );
  }

  /* ---------------------------------------------------------------- map and theme communities */

  /**
   * The map, a fourth column beside the six panels, on a unit whose children have outlines
   * (district → streets, community → grids); the theme communities, a line under the
   * headline numbers, on a district. Without either the layout stays as it was.
   */
  function renderSide(d) {
    const map = mapFor(d);
    const themes = themeCommunities(d);
    if (map) document.body.dataset.side = 'map';
    else delete document.body.dataset.side;
    $('map-panel').hidden = !map;
    $('themes-panel').hidden = !themes.length;
    if (map) renderMap(d, map);
    if (themes.length) renderThemes(d, themes);
  }

  /** New side data arrived: redraw the side column and refit what its width changed. */
  function refreshSide() {
    if (!st.dash) return;
    renderSide(st.dash);
    fitLists();
  }

  /** This unit's map, when any child has a point or an outline. */
  function mapFor(d) {
    const m = st.map;
    if (!m || m.scope !== d.scope || !Array.isArray(m.children)) return null;
    return m.children.some((c) => c.geometry) ? m : null;
  }

  /** The rings of a geometry's polygons ([] for a point). */
  function polygonsOf(g) {
    if (g.type === 'Polygon') return [g.coordinates];
    if (g.type === 'MultiPolygon') return g.coordinates;
    return [];
  }

  /** Where a unit's label goes: the middle of its largest outer ring, or its point. */
  function labelAt(g) {
    if (g.type === 'Point') return g.coordinates;
    let best = null;
    for (const rings of polygonsOf(g)) {
      const outer = (rings[0] || []).slice(0, -1);
      if (!best || outer.length > best.length) best = outer;
    }
    if (!best || !best.length) return null;
    const sum = best.reduce((a, p) => [a[0] + p[0], a[1] + p[1]], [0, 0]);
    return [sum[0] / best.length, sum[1] / best.length];
  }

  /**
   * An inline SVG of the children (no tiles, no scripts: it works offline), drawn to the
   * panel's size in pixels so its labels are real text sizes. Each child is shaded by its
   * live figures: red by overdue tickets, else blue by open ones; open tickets with
   * coordinates are points, overdue ones red.
   */
  function renderMap(d, m) {
    const body = $('map');
    // The record store did not answer the map's ticket list: say so, rather than show no points.
    const said = [m.schematic ? L('map.schematic') : '', m.tickets_unavailable ? L('map.unavailable') : ''].filter(Boolean);
    const note = h('div', { class: 'map-note' + (m.tickets_unavailable ? ' warn' : ''), id: 'map-note', title: m.note || null }, said.join(' · '));
    const kids = m.children.filter((c) => c.geometry);
    const figs = {};
    for (const c of d.children || []) figs[c.scope] = c.figures || {};
    const lons = [];
    const lats = [];
    for (const c of kids) {
      const each = c.geometry.type === 'Point' ? [c.geometry.coordinates] : polygonsOf(c.geometry).flat(2);
      for (const p of each) {
        lons.push(p[0]);
        lats.push(p[1]);
      }
    }
    const W = Math.max(120, body.clientWidth);
    const H = Math.max(80, body.clientHeight);
    const rem = remPx();
    // Degrees of longitude shrink with latitude: scale them so the outlines keep their shape.
    const kx = Math.cos((((Math.min(...lats) + Math.max(...lats)) / 2) * Math.PI) / 180);
    const minX = Math.min(...lons) * kx;
    const maxY = Math.max(...lats);
    const spanX = Math.max(Math.max(...lons) * kx - minX, 0.004);
    const spanY = Math.max(maxY - Math.min(...lats), 0.004);
    const pad = rem * 0.8;
    const k = Math.min((W - 2 * pad) / spanX, (H - 2 * pad) / spanY);
    const ox = (W - spanX * k) / 2;
    const oy = (H - spanY * k) / 2;
    const X = (lon) => ox + (lon * kx - minX) * k;
    const Y = (lat) => oy + (maxY - lat) * k;
    const pathOf = (g) =>
      polygonsOf(g)
        .flat()
        .map((ring) => ring.map((p, i) => `${i ? 'L' : 'M'}${X(p[0]).toFixed(1)} ${Y(p[1]).toFixed(1)}`).join('') + 'Z')
        .join('');
    const maxOpen = Math.max(1, ...kids.map((c) => (figs[c.id] || {}).tickets_open || 0));
    const maxOver = Math.max(1, ...kids.map((c) => (figs[c.id] || {}).tickets_overdue || 0));
    const shade = (c) => {
      const f = figs[c.id] || {};
      const over = f.tickets_overdue || 0;
      const open = f.tickets_open || 0;
      if (over > 0) return { kind: 'overdue', fill: `rgba(255, 91, 95, ${(0.3 + (0.5 * over) / maxOver).toFixed(2)})` };
      if (open > 0) return { kind: 'open', fill: `rgba(55, 217, 255, ${(0.14 + (0.46 * open) / maxOpen).toFixed(2)})` };
      return { kind: 'none', fill: 'rgba(120, 160, 220, 0.08)' };
    };
    const g = svg('svg', { width: W, height: H, viewBox: `0 0 ${W} ${H}`, class: 'map-svg' });
    const font = rem * MIN_TEXT_REM;
    const labels = [];
    for (const c of kids) {
      const s = shade(c);
      const attrs = { class: 'unit-shape', fill: s.fill, 'data-scope': c.id, 'data-shade': s.kind };
      if (c.geometry.type === 'Point') {
        const [lon, lat] = c.geometry.coordinates;
        g.append(svg('circle', { ...attrs, cx: X(lon).toFixed(1), cy: Y(lat).toFixed(1), r: (rem * 0.9).toFixed(1) }));
      } else {
        g.append(svg('path', { ...attrs, d: pathOf(c.geometry), 'fill-rule': 'evenodd' }));
      }
      const at = labelAt(c.geometry);
      if (!at) continue;
      const f = figs[c.id] || {};
      const x = X(at[0]);
      // A point's label sits above it; an outline's in its middle.
      const y = c.geometry.type === 'Point' ? Y(at[1]) - rem * 2.6 : Y(at[1]) - font * 0.45;
      const text = svg('text', { x: x.toFixed(1), y: y.toFixed(1), class: 'map-label', 'text-anchor': 'middle', 'font-size': font.toFixed(1), 'data-scope': c.id });
      text.append(svg('tspan', { x: x.toFixed(1), class: 'ml-name' }, c.name));
      const line = svg('tspan', { x: x.toFixed(1), dy: (font * 1.2).toFixed(1), class: 'ml-n' }, fmtNum(f.tickets_open || 0));
      text.append(line);
      if (f.tickets_overdue > 0) text.append(svg('tspan', { class: 'ml-over' }, ' · ' + L('map.over', { n: fmtNum(f.tickets_overdue) })));
      labels.push(text);
    }
    // Open tickets first, overdue ones on top of them; the labels above all, so they stay readable.
    const tickets = Array.isArray(m.tickets) ? [...m.tickets].sort((a, b) => Number(a.overdue) - Number(b.overdue)) : [];
    for (const tk of tickets) {
      const x = X(tk.long);
      const y = Y(tk.lat);
      if (!(x >= 0 && x <= W && y >= 0 && y <= H)) continue;
      g.append(svg('circle', { cx: x.toFixed(1), cy: y.toFixed(1), r: (rem * 0.38).toFixed(1), class: 'map-ticket' + (tk.overdue ? ' over' : ''), 'data-ticket': tk.id }));
    }
    g.append(...labels);
    body.replaceChildren(g, note);
    unclutter(g);
  }

  /**
   * Labels that run into each other (small units side by side) drop their overdue count,
   * then their open count: the shading still says it, and the name stays.
   */
  function unclutter(g) {
    const labels = [...g.querySelectorAll('text.map-label')];
    const overlaps = () => {
      const boxes = labels.map((l) => l.getBoundingClientRect());
      const hit = new Set();
      boxes.forEach((a, i) =>
        boxes.forEach((b, j) => {
          if (j > i && a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) hit.add(labels[i]).add(labels[j]);
        }),
      );
      return [...hit];
    };
    for (const part of ['.ml-over', '.ml-n']) {
      const crowded = overlaps();
      if (!crowded.length) return;
      for (const l of crowded) l.querySelectorAll(part).forEach((t) => t.remove());
    }
  }

  /** A figure of a dashboard as a theme's panel counts it: only its events or categories. */
  function figureOf(d, metric, panel) {
    const events = ['events_held', 'events_scheduled', 'events_cancelled', 'attendance'];
    if (panel && panel.events && events.includes(metric) && Array.isArray(d.events_by_kind)) {
      return eventsOf(d, panel.events)[metric];
    }
    const cats = (panel && panel.categories) || [];
    if (cats.length && (metric === 'tickets_open' || metric === 'tickets_reported') && Array.isArray(d.categories)) {
      const key = metric === 'tickets_open' ? 'open' : 'reported';
      return d.categories.filter((c) => cats.includes(c.category)).reduce((n, c) => n + (c[key] || 0), 0);
    }
    return d.figures ? d.figures[metric] : undefined;
  }

  /** The events of `d` (events_by_kind) of the filter's categories and types (an empty list: any). */
  function eventsOf(d, filter) {
    const cats = filter.categories || [];
    const types = filter.types || [];
    const out = { events_held: 0, events_scheduled: 0, events_cancelled: 0, attendance: 0 };
    for (const r of d.events_by_kind || []) {
      if ((cats.length && !cats.includes(r.category)) || (types.length && !types.includes(r.type))) continue;
      for (const k of Object.keys(out)) out[k] += r[k] || 0;
    }
    return out;
  }

  /** A figure as the wall writes it, with its unit. */
  function figureText(metric, v) {
    if (typeof v !== 'number' || !isFinite(v)) return ['—', ''];
    if (/_seconds$/.test(metric)) return [C.fmtDuration(v), ''];
    if (/_rate$/.test(metric)) return [fmtPct(v), ''];
    const unit = /^events_/.test(metric) ? t('unit.events') : metric === 'attendance' ? t('unit.people') : /^tickets_/.test(metric) ? t('unit.tickets') : '';
    return [fmtNum(v), unit];
  }

  /** The district's theme communities, each with its theme's lead figure for the period shown. */
  function renderThemes(d, list) {
    $('themes-title').textContent = `${L('themes.title')} · ${L('period.' + periodKind())}`;
    const lang = C.lang() === 'en' ? 'en' : 'zh';
    const rows = list.map((c) => {
      const dash = st.themeDash[c.id];
      const panel = leadPanel(c.theme);
      const metric = panel && (panel.figures || [])[0];
      const v = dash && metric ? figureOf(dash, metric, panel) : undefined;
      const [value, unit] = figureText(metric || '', v);
      const title = panel && panel.title ? panel.title[lang] : C.themeName(c.theme);
      const what = metric && L('metric.' + metric) !== 'metric.' + metric ? L('metric.' + metric) : metric || '';
      const full = what ? `${title} · ${what}` : title;
      // English words are long: there the panel's title, and what it counts beside the figure.
      const en = C.lang() === 'en';
      return h(
        'div',
        { class: 'th-row', dataset: { scope: c.id, theme: c.theme, metric: metric || '', value: typeof v === 'number' ? String(v) : '' } },
        h('a', { class: 'th-name', href: screenHref(c.id) }, c.name),
        h('span', { class: 'th-what', title: full }, en ? title : full),
        h('span', { class: 'th-v' }, h('b', { class: 'fit' }, value), (en ? what : unit) ? h('small', null, en ? what : unit) : null),
      );
    });
    $('themes').replaceChildren(...rows);
  }

  /**
   * The public-revenue ledger as a sixth headline figure, on every screen whose dashboard
   * carries it: its balance, and income, spending and entries under it. The home theme's
   * lead panel shows it as its hero instead.
   */
  function renderLedger(d) {
    const l = d.ledger;
    const box = $('ledger-kpi');
    const shown = !!l && themeOf(d) !== 'home';
    box.hidden = !shown;
    document.body.toggleAttribute('data-ledger', shown);
    if (!shown) return;
    const num = $('ledger-balance');
    num.textContent = fmtYuan(l.balance_fen);
    num.dataset.value = String(l.balance_fen);
    box.classList.toggle('negative', l.balance_fen < 0);
    $('ledger-label').textContent = L('ledger.kpi');
    $('ledger-sub').textContent = L('ledger.sub', { i: fmtYuan(l.income_fen), s: fmtYuan(l.spending_fen), n: fmtNum(l.entries) });
  }

  /* ---------------------------------------------------------------- ticket panels */

  /**
   * Which panels a screen shows: `overview` (a street and above) adds a strip of the
   * most overdue tickets under the six panels; `grid` (a unit with none below) shows its
   * open tickets and its holders' caseload where "units below" and the grid ranking
   * would be empty; `plain` (a community, or a server without ticket panels) neither.
   */
  function layoutOf(d) {
    const leaf = !(d.children || []).length;
    if (leaf) return Array.isArray(d.open_tickets) || d.tickets_unavailable ? 'grid' : 'plain';
    return Array.isArray(d.overdue) && String(d.scope).split('.').length <= 2 ? 'overview' : 'plain';
  }

  function renderTickets(d) {
    const layout = layoutOf(d);
    document.body.dataset.layout = layout;
    $('overdue-panel').hidden = layout !== 'overview';
    $('tickets-panel').hidden = layout !== 'grid';
    $('workload-panel').hidden = layout !== 'grid';
    document.querySelector('.panel.children').hidden = layout === 'grid';
    document.querySelector('.panel.grids').hidden = layout === 'grid';
    for (const el of document.querySelectorAll('[data-label]')) el.textContent = L(el.dataset.label);
    if (layout === 'overview') renderOverdue(d);
    if (layout === 'grid') {
      renderOpenTickets(d);
      renderWorkload(d);
    }
  }

  /** Seconds as days and hours, hours and minutes, or minutes: "3天4小时" / "3d 4h". */
  function fmtLate(sec) {
    const s = Math.max(0, Math.floor(sec));
    const d = Math.floor(s / 86400);
    const hr = Math.floor((s % 86400) / 3600);
    const m = Math.floor((s % 3600) / 60);
    const sep = L('late.sep');
    if (d > 0) return fmtNum(d) + L('late.d') + (hr ? sep + hr + L('late.h') : '');
    if (hr > 0) return hr + L('late.h') + (m ? sep + m + L('late.m') : '');
    return Math.max(1, m) + L('late.min');
  }

  /**
   * How late a ticket is (red), or how long it has left (amber): counts on between pushes.
   * `said`: "超3天4小时" / "3d 4h over" where a list mixes late and not yet due.
   */
  function lateCell(tag, cls, sec, said) {
    const el = h(tag, { class: cls + (said ? ' said' : ''), dataset: { sec: String(Math.round(sec)) } });
    paintLate(el, sec);
    return el;
  }

  function paintLate(el, sec) {
    const over = sec >= 0;
    const late = el.classList.contains('said') ? L('late.over', { d: fmtLate(sec) }) : fmtLate(sec);
    const text = over ? late : L('late.in', { d: fmtLate(-sec) });
    if (el.textContent !== text) el.textContent = text;
    el.classList.toggle('over', over);
    el.classList.toggle('ahead', !over);
  }

  /** The ages on the wall were given when the dashboard arrived: add the time since. */
  function tickAges(now) {
    if (!st.ageBase) return;
    const gone = Math.max(0, Math.floor((now - st.ageBase) / 1000));
    for (const el of document.querySelectorAll('[data-sec]')) paintLate(el, Number(el.dataset.sec) + gone);
  }

  /**
   * A holder's name in the screen's language: the dashboard's names (Chinese, or English
   * else Chinese), else the server's roster (common.js), else the id.
   */
  function holderName(id, names) {
    if (!id) return L('holder.none');
    if (names) return (C.lang() === 'en' && names.en) || names.zh || id;
    return C.holderName ? C.holderName(id) : id;
  }

  /** A ticket's grid (with its community when above this screen's scope), linking to its screen. */
  function ticketWhere(l) {
    if (!l.scope) return h('span', { class: 'od-id' }, l.ticket_id);
    return h('a', { href: screenHref(l.scope) }, unitLabel(l.scope, l.scope_name));
  }

  /** A panel's note in its header: the count, and "unavailable" when the record store did not answer. */
  function panelNote(id, text, warn) {
    const el = $(id);
    el.textContent = text;
    el.classList.toggle('warn', !!warn);
  }

  /** Street and above: the open tickets longest past their deadline, oldest first. */
  function renderOverdue(d) {
    const body = $('overdue');
    const list = Array.isArray(d.overdue) ? d.overdue : [];
    const n = d.figures.tickets_overdue;
    panelNote('overdue-note', d.tickets_unavailable ? L('unavailable.details') : n > 0 ? L('overdue.count', { n: fmtNum(n) }) : '', d.tickets_unavailable);
    if (!list.length) {
      body.replaceChildren(h('div', { class: 'empty' + (d.tickets_unavailable ? ' warn' : '') }, d.tickets_unavailable ? L('unavailable') : L('overdue.none')));
      return;
    }
    body.replaceChildren(
      ...list.map((l) =>
        h(
          'div',
          { class: 'od', dataset: { ticket: l.ticket_id } },
          lateCell('span', 'od-late late', l.overdue_seconds),
          h('span', { class: 'od-where' }, ticketWhere(l)),
          h(
            'span',
            { class: 'od-what' },
            l.category ? h('span', { class: 'od-cat' }, C.categoryName(l.category)) : null,
            l.scope ? h('b', { class: 'od-who' + (l.holder ? '' : ' none') }, holderName(l.holder, l.holder_names)) : null,
            h('span', { class: 'od-desc' }, l.scope ? l.description || '' : L('ticket.no_detail')),
          ),
        ),
      ),
    );
  }

  /** A grid: its open tickets, the most overdue first. */
  function renderOpenTickets(d) {
    const body = $('tickets');
    const list = Array.isArray(d.open_tickets) ? d.open_tickets : null;
    const n = d.figures.tickets_open;
    panelNote('tickets-note', list ? (n > 0 ? L('tickets.count', { n: fmtNum(n) }) : '') : L('unavailable'), !list);
    if (!list || !list.length) {
      body.replaceChildren(h('div', { class: 'empty' + (list ? '' : ' warn') }, list ? L('tickets.none') : L('unavailable.open')));
      return;
    }
    const head = h(
      'tr',
      null,
      h('th', { class: 't-late' }, L('col.deadline')),
      h('th', { class: 't-cat' }, L('col.category')),
      h('th', { class: 't-desc' }, L('col.issue')),
      h('th', { class: 't-status' }, L('col.status')),
      h('th', { class: 't-who' }, L('col.holder')),
    );
    const rows = list.map((l) =>
      h(
        'tr',
        { dataset: { ticket: l.ticket_id } },
        lateCell('td', 't-late late', l.overdue_seconds, true),
        h('td', { class: 't-cat' }, l.category ? C.categoryName(l.category) : '—'),
        h('td', { class: 't-desc' }, l.description || l.ticket_id),
        h('td', { class: 't-status', dataset: { status: l.status || '' } }, l.status ? t('status.' + l.status) : '—'),
        h('td', { class: 't-who' + (l.holder ? '' : ' none') }, holderName(l.holder, l.holder_names)),
      ),
    );
    body.replaceChildren(h('table', { class: 'tlist' }, h('thead', null, head), h('tbody', null, rows)));
  }

  /** A grid: who holds its tickets, how many are overdue, and today's dispatches and resolutions. */
  function renderWorkload(d) {
    const body = $('workload');
    const list = Array.isArray(d.workload) ? d.workload : [];
    panelNote('workload-note', d.tickets_unavailable ? L('unavailable.caseload') : '', d.tickets_unavailable);
    if (!list.length) {
      body.replaceChildren(h('div', { class: 'empty' + (d.tickets_unavailable ? ' warn' : '') }, d.tickets_unavailable ? L('unavailable') : L('workload.none')));
      return;
    }
    const count = (v) => (typeof v === 'number' ? fmtNum(v) : '—');
    const maxOpen = Math.max(1, ...list.map((w) => w.open || 0));
    const head = h(
      'tr',
      null,
      h('th', { class: 'unit' }, L('col.holder')),
      ['held', 'late', 'dispatched', 'solved'].map((k) => h('th', null, L('col.' + k))),
    );
    const rows = list.map((w) =>
      h(
        'tr',
        { dataset: { holder: w.assignee } },
        h('td', { class: 'unit' }, holderName(w.assignee, w.names)),
        h(
          'td',
          { class: 'n open' },
          typeof w.open === 'number' ? h('span', { class: 'cellbar', style: { width: `${(w.open / maxOpen) * 100}%` } }) : null,
          h('span', { class: 'v' }, count(w.open)),
        ),
        h('td', { class: 'n overdue' + (w.overdue > 0 ? ' hot' : '') }, count(w.overdue)),
        h('td', { class: 'n' }, count(w.dispatched)),
        h('td', { class: 'n resolved' }, count(w.resolved)),
      ),
    );
    body.replaceChildren(h('table', { class: 'units wl' }, h('thead', null, head), h('tbody', null, rows)));
  }

  /** Every 10 s: the next page of the units below and of the ticket lists. */
  function turnPages() {
    st.childPage += 1;
    st.listPage += 1;
    paginateChildren();
    paginateLists();
  }

  /** The ticket lists show the page that fits; a wall has no scroll bar, so pages rotate. */
  function paginateLists() {
    if (!$('overdue-panel').hidden) paginate($('overdue'), [...$('overdue').querySelectorAll('.od')], $('overdue-page'));
    if (!$('tickets-panel').hidden) paginate($('tickets'), [...$('tickets').querySelectorAll('tbody tr')], $('tickets-page'));
    if (!$('workload-panel').hidden) {
      fitUnits($('workload'));
      paginate($('workload'), [...$('workload').querySelectorAll('tbody tr')], $('workload-page'));
    }
  }

  /** Splits `rows` into pages that fit `body` (rows may differ in height) and shows one. */
  function paginate(body, rows, label) {
    rows.forEach((r) => {
      r.hidden = false;
    });
    if (!rows.length) {
      label.textContent = '';
      return;
    }
    const bottom = body.getBoundingClientRect().bottom + 0.5;
    const room = bottom - rows[0].getBoundingClientRect().top;
    const pageOf = [];
    let page = 0;
    let start = rows[0].getBoundingClientRect().top;
    rows.forEach((r, i) => {
      const box = r.getBoundingClientRect();
      // A row (or a line of cards) that would end below the panel starts the next page.
      if (i > 0 && box.top > start + 1 && box.bottom - start > room) {
        page += 1;
        start = box.top;
      }
      pageOf.push(page);
    });
    const pages = page + 1;
    const shown = st.listPage % pages;
    rows.forEach((r, i) => {
      r.hidden = pageOf[i] !== shown;
    });
    label.textContent = pages > 1 ? t('children.page', { i: shown + 1, n: pages }) : '';
  }

  /** Seven days: bars of tickets reported, a line of tickets resolved, today marked. */
  function renderTrend() {
    const body = $('trend');
    const rep = st.series.tickets_reported || [];
    const res = st.series.tickets_resolved || [];
    if (!rep.length) {
      body.replaceChildren();
      return;
    }
    const W = Math.max(200, body.clientWidth);
    const H = Math.max(100, body.clientHeight);
    const rem = remPx();
    const padB = rem * 2.3;
    const padT = rem * 1.8;
    const n = rep.length;
    const vals = rep.map((p) => p.value || 0);
    const rvals = res.map((p) => p.value || 0);
    const max = Math.max(1, ...vals, ...rvals);
    const cw = W / n;
    const y = (v) => H - padB - (v / max) * (H - padB - padT);
    const g = svg('svg', { width: W, height: H, viewBox: `0 0 ${W} ${H}`, class: 'trend-svg' });
    for (let i = 0; i <= 2; i++) {
      const gy = y((max * i) / 2);
      g.append(svg('line', { x1: 0, x2: W, y1: gy, y2: gy, class: 'gridline' }));
    }
    rep.forEach((p, i) => {
      const x = i * cw + cw * 0.22;
      const top = y(vals[i]);
      const today = i === n - 1;
      g.append(svg('rect', { x, y: top, width: cw * 0.56, height: Math.max(1, H - padB - top), rx: rem * 0.2, class: 'tb' + (today ? ' today' : '') }));
      g.append(svg('text', { x: x + cw * 0.28, y: top - rem * 0.4, class: 'tv', 'text-anchor': 'middle', 'font-size': rem * MIN_TEXT_REM }, fmtChart(vals[i])));
      const day = String(p.day || '');
      g.append(
        svg(
          'text',
          { x: i * cw + cw / 2, y: H - rem * 0.5, class: 'tx' + (today ? ' today' : ''), 'text-anchor': 'middle', 'font-size': rem * MIN_TEXT_REM },
          today ? t('trend.today') : day.slice(5),
        ),
      );
    });
    const labels = [...g.querySelectorAll('text.tv')];
    labels.forEach((l) => l.remove());
    if (res.length === n) {
      const pts = rvals.map((v, i) => `${(i * cw + cw / 2).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
      g.append(svg('polyline', { points: pts, class: 'tl' }));
      rvals.forEach((v, i) => g.append(svg('circle', { cx: i * cw + cw / 2, cy: y(v), r: rem * 0.32, class: 'td' })));
    }
    g.append(...labels); // bar values on top of the line
    body.replaceChildren(g);
  }

  /** Alerts of this scope and below (absent when none): firing first, then recently resolved. */
  function renderAlerts(d) {
    const box = $('alerts');
    const list = Array.isArray(d.alerts) ? d.alerts : [];
    const shown = list.slice(0, ALERTS_SHOWN);
    const num = (x) => (typeof x !== 'number' ? '—' : Number.isInteger(x) ? fmtNum(x) : x.toFixed(1));
    const items = shown.map((a) => {
      const resolved = a.state === 'resolved';
      const at = Date.parse(resolved ? a.resolved_at : a.since);
      const when = isFinite(at) ? clockOf(at) : '—';
      const el = h('div', { class: 'alert ' + (resolved ? 'resolved' : 'firing'), 'data-rule': a.rule },
        h('span', { class: 'a-state' }, t(resolved ? 'alert.resolved' : 'alert.firing')),
        h('span', { class: 'a-title' }, a.title),
        h('span', { class: 'a-scope' }, a.scope === d.scope ? '' : a.scope_name || a.scope),
        h('span', { class: 'a-value' }, `${num(a.value)} ${a.op} ${num(a.threshold)}`),
        h('span', { class: 'a-since' }, t(resolved ? 'alert.resolved_at' : 'alert.since', { time: when })));
      return el;
    });
    if (list.length > shown.length) items.push(h('span', { class: 'a-more' }, t('alert.more', { n: list.length - shown.length })));
    box.replaceChildren(...items);
    if (box.hidden !== (items.length === 0)) {
      box.hidden = items.length === 0;
      requestAnimationFrame(fitLists); // the alerts take room from the panels
    }
  }

  function renderFoot(d) {
    $('foot-day').textContent = t('foot.day', { day: d.day });
    const asOf = Date.parse(d.as_of);
    $('foot-asof').textContent = t('foot.as_of', { time: isFinite(asOf) ? clockOf(asOf) : '—' });
    $('foot-scope').textContent = d.scope;
    // Screen health of everything under this scope (the district sees its communities' screens).
    const sc = d.screens;
    const foot = $('foot-screens');
    foot.hidden = !sc;
    foot.textContent = sc ? t('foot.screens', sc) : '';
    foot.classList.toggle('warn', !!sc && sc.behind + sc.gone > 0);
  }

  function rerender() {
    if (st.dash) render(st.dash);
    if (!$('toast').hidden) $('toast').textContent = t(st.toastKey);
    paintConn();
    tick();
  }

  /* ---------------------------------------------------------------- start */

  function start() {
    C.applyI18n(document);
    $('lang').addEventListener('click', () => {
      C.setLang(C.lang() === 'en' ? 'zh' : 'en');
      rerender();
    });
    let resizeTimer = 0;
    window.addEventListener('resize', () => {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(rerender, 120);
    });
    // Category and holder names from the server's dictionary arrive after the first render.
    document.addEventListener('cockpit:names', rerender);
    window.addEventListener('online', () => {
      if (!st.sock) connect();
    });
    setInterval(tick, 250);
    setInterval(loadSeries, SERIES_EVERY_MS);
    setInterval(loadMap, MAP_EVERY_MS);
    setInterval(loadThemeFigures, THEMES_EVERY_MS);
    st.turnTimer = setInterval(turnPages, CHILD_PAGE_MS);
    /** For diagnostics (and the browser test): the connection as this page sees it. */
    window.cockpitScreen = {
      status: () => ({
        conn: st.conn, epoch: st.epoch, seq: st.seq, attempt: st.attempt, reconnects: st.reconnects, lastMsgAt: st.lastMsgAt,
        cached: st.cached, offline: st.offline, zone: st.zone,
      }),
      /** Renders a dashboard as if the server had sent it (until its next message): to see how the wall takes figures it has not had yet. */
      show: (d) => render(d),
      /** Shows page `n` (from 0) of every rotating list, the next turn 10 s from now: for screenshots. */
      page: (n) => {
        st.childPage = st.listPage = n;
        clearInterval(st.turnTimer);
        st.turnTimer = setInterval(turnPages, CHILD_PAGE_MS);
        paginateChildren();
        paginateLists();
      },
    };
    restore();
    tick();
    loadUnits();
    loadSeries();
    loadMap();
    connect();
    registerWorker();
  }

  start();
})();
