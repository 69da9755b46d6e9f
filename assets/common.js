/* Community Cockpit — shared by the scope list (/) and the wall screen (/screen/{scope}).
 * Plain ES2017 served as is: no build step, no framework, no CDN (screens often sit on
 * a government intranet). Exposes window.Cockpit: labels in Chinese (default) and
 * English (?lang=en or the switch), DOM helpers that never parse HTML from data, and
 * number / duration formatting. */
(function () {
  'use strict';

  const DICT = {
    zh: {
      'title': '社区治理驾驶舱',
      'index.title': '社区治理驾驶舱',
      'index.hint': '选择一个单位，打开它的大屏',
      'index.empty': '尚未登记任何单位',
      'index.error': '无法加载单位列表，正在重试…',
      'index.open': '打开大屏',
      'level.0': '区', 'level.1': '街道 / 镇', 'level.2': '社区', 'level.3': '网格',
      'conn.connecting': '连接中',
      'conn.live': '实时 · 已连接',
      'conn.reconnecting': '重连中',
      'conn.disconnected': '已断开',
      'conn.trying': '正在重连…',
      'conn.retry': '{n} 秒后重试 · 第 {k} 次',
      'age.never': '尚无数据',
      'age.s': '数据更新于 {n} 秒前',
      'age.m': '数据更新于 {n} 分钟前',
      'age.h': '数据更新于 {n} 小时前',
      'banner.down': '与服务器的连接已断开 · 画面数据停留在 {time}（{age}）· 正在自动重连',
      'banner.error': '服务器暂时无法提供数据：{msg} · 正在自动重试',
      'banner.stale': '数据暂停刷新：服务器暂时无法计算最新数据 · 画面为 {time} 的数据，恢复后自动更新',
      'banner.cached': '无法连接服务器 · 画面为本机保存的 {time} 的数据（{ago}），并非实时 · 正在自动重连',
      'ago.s': '{n} 秒前', 'ago.m': '{n} 分钟前', 'ago.h': '{n} 小时前',
      'banner.auth': '此大屏需要有效的令牌：请使用管理员签发的地址（…?token=…）打开',
      'banner.token_bad': '大屏令牌无效、已过期或不属于本单位：请向管理员索取新的地址',
      'banner.gone': '该单位已不存在，请返回单位列表',
      'conn.stale': '数据暂停刷新',
      'toast.resynced': '已重新连接 · 数据已按最新快照同步',
      'toast.gap': '检测到消息缺口 · 正在按快照重新同步',
      'toast.epoch': '服务端已切换 · 正在按快照重新同步',
      'kpi.tickets_open': '未办结',
      'kpi.tickets_overdue': '超期',
      'kpi.tickets_resolved': '今日办结',
      'kpi.events_held': '今日活动',
      'kpi.attendance': '参与人次',
      'sub.reported': '今日上报 {n} 件',
      'sub.overdue_share': '占未办结 {p}',
      'sub.due_soon': '即将超期 {n} 件 · 占未办结 {p}',
      'sub.mean': '平均办结用时 {d}',
      'sub.mean_none': '今日暂无办结',
      'sub.scheduled': '待开展 {n} 场',
      'sub.unique': '约 {n} 人参与',
      'panel.children': '下辖单位',
      'panel.categories': '事件分类',
      'panel.pipeline': '闭环流转 · 在办事件',
      'panel.trend': '近7日趋势',
      'panel.grids': '网格排行 · 未办结',
      'col.unit': '单位', 'col.open': '未办结', 'col.overdue': '超期', 'col.resolved': '今日办结',
      'col.events': '今日活动', 'col.attendance': '参与人次',
      'children.none': '本单位是最小治理单元，没有下辖单位',
      'children.page': '第 {i}/{n} 页',
      'grids.none': '暂无未办结事件',
      'grids.leaf': '下面没有网格：见左侧在办事件',
      'cats.none': '今日暂无事件',
      'legend.open': '未办结', 'legend.reported': '今日上报', 'legend.resolved': '办结',
      'status.reported': '待派单', 'status.dispatched': '已派单', 'status.in_progress': '处置中',
      'status.resolved': '待核验', 'status.reopened': '重办中',
      'pipeline.closed': '今日核验关闭 {n} 件',
      'pipeline.reopened': '今日重办 {n} 件',
      'trend.today': '今日', 'trend.reported': '上报',
      'lead.overview': '今日闭环',
      'lead.health': '健康大讲堂',
      'lead.rule-of-law': '矛盾纠纷调解',
      'lead.heritage': '烟火街巷 · 垃圾与停车',
      'lead.smart': '闭环速度',
      'lead.home': '共建和家 · 在办事项',
      'lead.closure': '今日办结率',
      'lead.on_time': '按时办结率',
      'lead.dispatched': '今日派单',
      'lead.dispatch_mean': '平均派单用时',
      'lead.p90': 'P90 办结用时',
      'lead.due_soon': '即将超期',
      'lead.closure_note': '今日办结 / 今日上报',
      'lead.reported': '今日上报',
      'lead.mean': '平均办结用时',
      'lead.closed': '核验关闭',
      'lead.reopened': '重办',
      'lead.events_held': '今日举办',
      'lead.attendance': '参与人次',
      'lead.unique': '参与居民（约）',
      'lead.scheduled': '待开展',
      'lead.all_events': '全部活动',
      'lead.attendance_7d': '近7日参与人次',
      'lead.disputes_today': '今日受理纠纷',
      'lead.disputes_open': '调解中',
      'lead.disputes_resolved': '今日化解',
      'lead.disputes_share': '纠纷占在办事件',
      'lead.reported_today': '今日上报',
      'lead.open_now': '未办结',
      'lead.resolved_today': '今日办结',
      'lead.mean_7d': '近7日平均办结用时',
      'lead.open_total': '在办事项合计',
      'ledger.balance': '公共收益结余', 'ledger.income': '累计收入', 'ledger.spending': '累计支出', 'unit.yuan': '元', 'ledger.entries': '公示账目', 'unit.entries': '笔',
      'voice.survey': '问卷回收 {n} 份', 'voice.rate': '回收率 {p}', 'voice.satisfaction': '今日满意率 {p}',
      'voice.unfixed': '不满意重办 {n} 件',
      'lead.none': '暂无在办事项',
      'unit.events': '场', 'unit.people': '人次', 'unit.tickets': '件', 'unit.persons': '人',
      'theme.health': '健康', 'theme.heritage': '烟火', 'theme.smart': '智在群慧',
      'theme.rule-of-law': '法治', 'theme.home': '和家',
      'theme.badge': '{name}主题社区',
      'cat.street_light': '路灯', 'cat.garbage': '垃圾清运', 'cat.parking': '停车秩序',
      'cat.noise': '噪音扰民', 'cat.dispute': '矛盾纠纷', 'cat.water': '供水',
      'cat.road': '道路', 'cat.greening': '绿化', 'cat.health': '健康', 'cat.safety': '安全隐患',
      'cat.elevator': '电梯', 'cat.sanitation': '环境卫生', 'cat.drainage': '排水',
      'cat.facility': '物业设施', 'cat.vending': '占道经营',
      'foot.screens': '大屏 在线 {online} · 滞后 {behind} · 离线 {gone}',
      'alert.firing': '预警', 'alert.resolved': '已恢复', 'alert.since': '自 {time}',
      'alert.resolved_at': '{time} 恢复', 'alert.more': '另有 {n} 条预警',
      'foot.day': '统计日 {day}', 'foot.as_of': '快照时间 {time}', 'foot.approx': '“约”为估算值',
      'foot.source': '数据来源：网格上报 · 12345 热线 · 签到系统',
      'dur.min': '{n} 分钟', 'dur.h': '{n} 小时', 'dur.d': '{n} 天', 'dur.none': '—',
      'lang.switch': 'EN',
    },
    en: {
      'title': 'Community Cockpit',
      'index.title': 'Community Governance Cockpit',
      'index.hint': 'Choose a unit to open its wall screen',
      'index.empty': 'No units registered yet',
      'index.error': 'Could not load the list of units; retrying…',
      'index.open': 'Open screen',
      'level.0': 'District', 'level.1': 'Street / town', 'level.2': 'Community', 'level.3': 'Grid',
      'conn.connecting': 'Connecting',
      'conn.live': 'Live · connected',
      'conn.reconnecting': 'Reconnecting',
      'conn.disconnected': 'Disconnected',
      'conn.trying': 'reconnecting now…',
      'conn.retry': 'retry in {n} s · attempt {k}',
      'age.never': 'no data yet',
      'age.s': 'updated {n} s ago',
      'age.m': 'updated {n} min ago',
      'age.h': 'updated {n} h ago',
      'banner.down': 'Connection lost · figures frozen at {time} ({age}) · reconnecting automatically',
      'banner.error': 'The server cannot provide figures right now: {msg} · retrying',
      'banner.stale': 'Figures not refreshing: the server cannot compute fresh figures · showing figures from {time}; they update again by themselves',
      'banner.cached': 'Cannot reach the server · showing the figures this screen stored at {time} ({ago}), not live · reconnecting automatically',
      'ago.s': '{n} s ago', 'ago.m': '{n} min ago', 'ago.h': '{n} h ago',
      'banner.auth': 'This screen needs a valid token: open it with the address an administrator issued (…?token=…)',
      'banner.token_bad': 'The screen token is invalid, expired or for another unit: ask an administrator for a new address',
      'banner.gone': 'This unit no longer exists: go back to the list of units',
      'conn.stale': 'figures not refreshing',
      'toast.resynced': 'Reconnected · figures resynced from a fresh snapshot',
      'toast.gap': 'Missed an update · resyncing from a snapshot',
      'toast.epoch': 'Server changed · resyncing from a snapshot',
      'kpi.tickets_open': 'Open tickets',
      'kpi.tickets_overdue': 'Overdue',
      'kpi.tickets_resolved': 'Resolved today',
      'kpi.events_held': 'Events today',
      'kpi.attendance': 'Attendance today',
      'sub.reported': '{n} reported today',
      'sub.overdue_share': '{p} of open',
      'sub.due_soon': '{n} due soon · {p} of open',
      'sub.mean': 'avg {d} to resolve',
      'sub.mean_none': 'none resolved yet',
      'sub.scheduled': '{n} scheduled',
      'sub.unique': '≈{n} people',
      'panel.children': 'Units below',
      'panel.categories': 'Tickets by category',
      'panel.pipeline': 'Closed loop · live tickets',
      'panel.trend': 'Last 7 days',
      'panel.grids': 'Grids by open tickets',
      'col.unit': 'Unit', 'col.open': 'Open', 'col.overdue': 'Overdue', 'col.resolved': 'Resolved',
      'col.events': 'Events', 'col.attendance': 'Attend.',
      'children.none': 'A leaf unit: nothing below it',
      'children.page': 'page {i}/{n}',
      'grids.none': 'No open tickets',
      'grids.leaf': 'No grids below: see the live tickets',
      'cats.none': 'No tickets today',
      'legend.open': 'Open', 'legend.reported': 'New today', 'legend.resolved': 'Resolved',
      'status.reported': 'Reported', 'status.dispatched': 'Assigned', 'status.in_progress': 'Handling',
      'status.resolved': 'To verify', 'status.reopened': 'Reopened now',
      'pipeline.closed': '{n} closed today',
      'pipeline.reopened': '{n} reopened today',
      'trend.today': 'Today', 'trend.reported': 'Reported',
      'lead.overview': 'Today\'s closed loop',
      'lead.health': 'Health lectures',
      'lead.rule-of-law': 'Dispute mediation',
      'lead.heritage': 'Street life · garbage & parking',
      'lead.smart': 'Closed-loop speed',
      'lead.home': 'Shared home · open matters',
      'lead.closure': 'Resolved vs reported',
      'lead.on_time': 'Resolved on time',
      'lead.dispatched': 'Dispatched',
      'lead.dispatch_mean': 'Avg to dispatch',
      'lead.p90': 'P90 to resolve',
      'lead.due_soon': 'Due soon',
      'lead.closure_note': 'resolved today / reported today',
      'lead.reported': 'Reported',
      'lead.mean': 'Avg to resolve',
      'lead.closed': 'Closed',
      'lead.reopened': 'Reopened',
      'lead.events_held': 'Held today',
      'lead.attendance': 'Attendance',
      'lead.unique': 'Residents (≈)',
      'lead.scheduled': 'Scheduled',
      'lead.all_events': 'All events',
      'lead.attendance_7d': 'Attendance, last 7 days',
      'lead.disputes_today': 'Disputes received today',
      'lead.disputes_open': 'Under mediation',
      'lead.disputes_resolved': 'Settled today',
      'lead.disputes_share': 'Disputes among open tickets',
      'lead.reported_today': 'Reported today',
      'lead.open_now': 'Open',
      'lead.resolved_today': 'Resolved today',
      'lead.mean_7d': 'Avg time to resolve, last 7 days',
      'lead.open_total': 'Open matters in all',
      'ledger.balance': 'Public revenue balance', 'ledger.income': 'Income to date', 'ledger.spending': 'Spent to date', 'unit.yuan': 'yuan', 'ledger.entries': 'Entries published', 'unit.entries': '',
      'voice.survey': '{n} survey returns', 'voice.rate': '{p} of households', 'voice.satisfaction': '{p} satisfied today',
      'voice.unfixed': '{n} reopened as not fixed',
      'lead.none': 'Nothing open',
      'unit.events': '', 'unit.people': '', 'unit.tickets': '', 'unit.persons': '',
      'theme.health': 'Health', 'theme.heritage': 'Street life', 'theme.smart': 'Smart living',
      'theme.rule-of-law': 'Rule of law', 'theme.home': 'Shared home',
      'theme.badge': 'Theme: {name}',
      'cat.street_light': 'Street lights', 'cat.garbage': 'Garbage', 'cat.parking': 'Parking',
      'cat.noise': 'Noise', 'cat.dispute': 'Disputes', 'cat.water': 'Water',
      'cat.road': 'Roads', 'cat.greening': 'Greening', 'cat.health': 'Health', 'cat.safety': 'Safety hazards',
      'cat.elevator': 'Elevators', 'cat.sanitation': 'Sanitation', 'cat.drainage': 'Drainage',
      'cat.facility': 'Building facilities', 'cat.vending': 'Street vending',
      'foot.screens': 'Screens: {online} online · {behind} behind · {gone} gone',
      'alert.firing': 'Alert', 'alert.resolved': 'Resolved', 'alert.since': 'since {time}',
      'alert.resolved_at': 'resolved {time}', 'alert.more': '{n} more alerts',
      'foot.day': 'Day {day}', 'foot.as_of': 'snapshot {time}', 'foot.approx': '≈ marks an estimate',
      'foot.source': 'Sources: grid workers · 12345 hotline · sign-in kiosks',
      'dur.min': '{n} min', 'dur.h': '{n} h', 'dur.d': '{n} d', 'dur.none': '—',
      'lang.switch': '中文',
    },
  };

  let current = new URLSearchParams(location.search).get('lang') === 'en' ? 'en' : 'zh';

  /** The label for `key` in the current language, `{name}` filled from `vars`. */
  function t(key, vars) {
    let s = DICT[current][key];
    if (s === undefined) s = DICT.zh[key];
    if (s === undefined) return key;
    if (vars) s = s.replace(/\{(\w+)\}/g, (_, k) => (vars[k] === undefined ? '' : String(vars[k])));
    return s;
  }

  /** A label if one exists, else `fallback` (used for categories we have no name for). */
  function tOr(key, fallback) {
    return DICT[current][key] !== undefined || DICT.zh[key] !== undefined ? t(key) : fallback;
  }

  /** Switches language and keeps it in the URL, so a reload (or a bookmark) keeps it. */
  function setLang(lang) {
    current = lang === 'en' ? 'en' : 'zh';
    const u = new URL(location.href);
    if (current === 'en') u.searchParams.set('lang', 'en');
    else u.searchParams.delete('lang');
    history.replaceState(null, '', u);
    applyI18n(document);
  }

  /** Fills every `[data-i18n]` element's text from the dictionary. */
  function applyI18n(root) {
    document.documentElement.lang = current === 'en' ? 'en' : 'zh-CN';
    root.querySelectorAll('[data-i18n]').forEach((el) => {
      el.textContent = t(el.dataset.i18n);
    });
  }

  function append(el, children) {
    for (const c of children) {
      if (c === null || c === undefined || c === false) continue;
      if (Array.isArray(c)) append(el, c);
      else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }

  /** An element: `h('div', {class: 'x', dataset: {k: 'v'}}, 'text', child)`. Text is never parsed as HTML. */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k === 'style') Object.assign(el.style, v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    return append(el, children);
  }

  /** An SVG element, same calling convention as `h`. */
  function svg(tag, attrs, ...children) {
    const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v !== null && v !== undefined && v !== false) el.setAttribute(k, String(v));
    }
    return append(el, children);
  }

  function fmtNum(n) {
    if (typeof n !== 'number' || !isFinite(n)) return '—';
    return Math.round(n).toLocaleString(current === 'en' ? 'en-US' : 'zh-CN');
  }

  /**
   * A chart label: in full below 100,000, else three significant digits (123万, 1.23M),
   * so a seventh digit never runs into the next day's label. The figures themselves are
   * always shown in full.
   */
  function fmtChart(n) {
    if (typeof n !== 'number' || !isFinite(n) || Math.abs(n) < 100000) return fmtNum(n);
    return new Intl.NumberFormat(current === 'en' ? 'en-US' : 'zh-CN', { notation: 'compact', maximumSignificantDigits: 3 }).format(n);
  }

  function fmtPct(x) {
    if (typeof x !== 'number' || !isFinite(x)) return '—';
    return (x * 100).toFixed(x >= 0.995 || x === 0 ? 0 : 1).replace(/\.0$/, '') + '%';
  }

  /** Seconds as a short duration: minutes under an hour, hours under two days, else days. */
  function durParts(sec) {
    if (typeof sec !== 'number' || !isFinite(sec) || sec < 0) return null;
    if (sec < 3600) return { n: Math.max(1, Math.round(sec / 60)), key: 'dur.min' };
    if (sec < 172800) return { n: (sec / 3600).toFixed(1).replace(/\.0$/, ''), key: 'dur.h' };
    return { n: (sec / 86400).toFixed(1).replace(/\.0$/, ''), key: 'dur.d' };
  }

  function fmtDuration(sec) {
    const p = durParts(sec);
    return p ? t(p.key, { n: p.n }) : t('dur.none');
  }

  function themeName(theme) {
    return theme ? tOr('theme.' + theme, theme) : '';
  }

  function categoryName(c) {
    return tOr('cat.' + c, c.replace(/_/g, ' '));
  }

  /** An event type's name (`lecture` → 讲座), or the code itself. */
  function eventTypeName(c) {
    return tOr('etype.' + c, c.replace(/_/g, ' '));
  }

  /** An event category's name, or the code itself. */
  function eventCategoryName(c) {
    return tOr('ecat.' + c, c.replace(/_/g, ' '));
  }

  /** A ticket holder's name (from the scopes file's roster), or its id. */
  function holderName(id) {
    return tOr('holder.' + id, id);
  }

  /** Takes every name the server's dictionary gives (GET /api/v1/dictionary) into the
   * label table, so a code the deployment names is never shown raw; an unknown code
   * still shows as itself. Fires `cockpit:names` on the document once they are in. */
  async function loadNames() {
    try {
      const r = await fetch('/api/v1/dictionary', { cache: 'no-store' });
      if (!r.ok) return;
      const body = await r.json();
      const take = (prefix, list) => {
        for (const [code, term] of Object.entries(list || {})) {
          DICT.zh[prefix + code] = term.zh;
          DICT.en[prefix + code] = term.en || term.zh;
        }
      };
      const d = body.dictionary || {};
      take('cat.', d.ticket_categories);
      take('group.', d.ticket_groups);
      take('ecat.', d.event_categories);
      take('etype.', d.event_types);
      take('lcat.', d.ledger_categories);
      take('holder.', body.assignees);
      document.dispatchEvent(new CustomEvent('cockpit:names'));
    } catch (_) {
      // Offline or an older server: the built-in names stand.
    }
  }
  loadNames();

  /** Colour of each community theme (also set as --accent on the screen). */
  const THEME_COLOURS = {
    health: '#34e0a1',
    heritage: '#ff9f43',
    smart: '#3fb6ff',
    'rule-of-law': '#9d8cff',
    home: '#ff7eb0',
  };

  /** A secured deployment hands wall screens a token in their URL (`?token=st1~…`). */
  const token = new URLSearchParams(location.search).get('token');

  /** `url` with this page's screen token added, if it has one. */
  function withToken(url) {
    if (!token) return url;
    return `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
  }

  /** The wall screen of `id`, keeping this page's language and token. */
  function screenHref(id) {
    const q = new URLSearchParams();
    if (current === 'en') q.set('lang', 'en');
    if (token) q.set('token', token);
    const qs = q.toString();
    return `/screen/${encodeURIComponent(id)}${qs ? '?' + qs : ''}`;
  }

  window.Cockpit = {
    t, setLang, applyI18n, h, svg, fmtNum, fmtChart, fmtPct, fmtDuration, durParts, themeName, categoryName,
    eventTypeName, eventCategoryName, holderName, loadNames,
    THEME_COLOURS, withToken, screenHref,
    hasToken: () => Boolean(token),
    lang: () => current,
  };
})();
