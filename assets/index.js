/* Community Cockpit — the scope list (/): every registered unit, as a tree, each a
 * link to its wall screen. Grids are shown as small chips under their community. */
(function () {
  'use strict';
  const C = window.Cockpit;
  const { t, h } = C;
  let scopes = null;

  const href = C.screenHref;

  function row(n, depth) {
    return h(
      'div',
      { class: 'unit-row' },
      h('a', { class: 'name', href: href(n.id) }, n.name || n.id),
      h('span', { class: 'level' }, t('level.' + Math.min(depth, 3))),
      n.theme ? h('span', { class: 'chip', dataset: { theme: n.theme } }, C.themeName(n.theme)) : null,
      h('span', { class: 'id' }, n.id),
      h('a', { class: 'open-btn', href: href(n.id) }, t('index.open') + ' →'),
    );
  }

  function node(n, depth) {
    const kids = n.children || [];
    const leaves = kids.filter((k) => !(k.children || []).length);
    const inner = kids.filter((k) => (k.children || []).length);
    // Under a community, leaves are grids: chips, not rows.
    const chips = depth >= 2 && leaves.length
      ? h('div', { class: 'grid-chips' }, leaves.map((k) => h('a', { href: href(k.id) }, k.name || k.id)))
      : null;
    const rows = depth >= 2 ? inner : kids;
    return h(
      'div',
      { class: depth === 0 ? 'unit-card' : 'unit-sub' },
      row(n, depth),
      chips,
      rows.length ? h('div', { class: 'unit-kids' }, rows.map((k) => node(k, depth + 1))) : null,
    );
  }

  function render() {
    const tree = document.getElementById('tree');
    if (scopes === null) {
      tree.replaceChildren(h('div', { class: 'empty' }, t('index.error')));
    } else if (!scopes.length) {
      tree.replaceChildren(h('div', { class: 'empty' }, t('index.empty')));
    } else {
      tree.replaceChildren(...scopes.map((n) => node(n, 0)));
    }
  }

  async function load() {
    try {
      const r = await fetch('/api/v1/scopes', { cache: 'no-store' });
      if (!r.ok) throw new Error(String(r.status));
      const body = await r.json();
      scopes = Array.isArray(body.scopes) ? body.scopes : [];
      render();
    } catch (e) {
      scopes = null;
      render();
      setTimeout(load, 5000);
    }
  }

  C.applyI18n(document);
  document.getElementById('lang').addEventListener('click', () => {
    C.setLang(C.lang() === 'en' ? 'zh' : 'en');
    if (scopes !== null) render();
  });
  load();
})();
