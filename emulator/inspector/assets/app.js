// chatemu inspector. Plain JavaScript, no build step. Every figure on the
// pages comes from the control API (/_chatemu/…); with a control token set
// on the server, the first 401 asks for it, and it is kept in this tab's
// sessionStorage and sent as a Bearer token on every call.
'use strict';

(() => {
  const BODY = document.body;
  const BASE = BODY.dataset.base;
  const API = BODY.dataset.api;
  const TOKEN_KEY = 'chatemu-control-token';

  // ---- DOM helpers ---------------------------------------------------

  // el builds an element: attrs may hold class, text, on<event> handlers,
  // data-*, aria-* and any attribute; children are nodes or strings.
  function el(tag, attrs, ...children) {
    const n = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') n.className = v;
      else if (k === 'text') n.textContent = v;
      else if (k.startsWith('on')) n.addEventListener(k.slice(2), v);
      else n.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children.flat(Infinity)) {
      if (c === undefined || c === null || c === false) continue;
      n.append(c instanceof Node ? c : String(c));
    }
    return n;
  }
  const $ = (id) => document.getElementById(id);

  // fill replaces node's children, skipping the absent ones as el does.
  function fill(node, ...children) {
    node.replaceChildren(...children.flat(Infinity).filter((c) => c !== undefined && c !== null && c !== false));
  }
  const fmtInt = (n) => Number(n).toLocaleString('en-US');

  // say shows a message in the page's status line (read by screen readers).
  function say(msg, kind) {
    const s = $('status');
    if (!s) return;
    s.textContent = msg || '';
    s.className = 'status' + (kind ? ' ' + kind : '');
  }

  // fmtTime writes an RFC 3339 instant as "2026-11-20 10:00:00 UTC".
  function fmtTime(iso) {
    if (!iso) return '';
    return iso.slice(0, 19).replace('T', ' ') + ' UTC';
  }

  // shq quotes a value for a POSIX shell.
  const shq = (s) => "'" + String(s).replace(/'/g, "'\\''") + "'";

  // pretty indents JSON text; anything else is returned as it is.
  function pretty(text) {
    try { return JSON.stringify(JSON.parse(text), null, 2); } catch { return text; }
  }

  // copyButton copies text to the clipboard and says so.
  function copyButton(text, what) {
    return el('button', {
      type: 'button', class: 'small', 'aria-label': 'Copy ' + what,
      onclick: async (ev) => {
        const b = ev.currentTarget;
        try {
          await navigator.clipboard.writeText(text);
        } catch {
          const ta = el('textarea', { class: 'sr' }, text);
          document.body.append(ta);
          ta.select();
          document.execCommand('copy');
          ta.remove();
        }
        b.textContent = 'Copied';
        say(what + ' copied to the clipboard.', 'ok');
        setTimeout(() => { b.textContent = 'Copy'; }, 1500);
      },
    }, 'Copy');
  }

  // ---- the control API -------------------------------------------------

  class APIError extends Error {
    constructor(status, message) { super(message); this.status = status; }
  }

  // The pending question for the token, shared by concurrent calls.
  let tokenAsk = null;
  let tokenAnswer = null;

  // askToken opens the token dialog; it resolves once a token is given and
  // rejects when the dialog is dismissed without one.
  function askToken(why) {
    const dlg = $('token-dialog');
    const input = $('token-input');
    if (why) $('token-why').textContent = why;
    if (!tokenAsk) {
      tokenAsk = new Promise((resolve, reject) => { tokenAnswer = { resolve, reject }; });
      tokenAsk.catch(() => {}); // a dismissal is reported by the caller
    }
    if (!dlg.open) {
      input.value = '';
      dlg.showModal();
    }
    input.focus();
    return tokenAsk;
  }

  function tokenClosed() {
    const dlg = $('token-dialog');
    const v = $('token-input').value.trim();
    const given = dlg.returnValue !== 'forget' && v !== '';
    if (given) sessionStorage.setItem(TOKEN_KEY, v);
    if (tokenAnswer) {
      if (given) tokenAnswer.resolve();
      else tokenAnswer.reject(new APIError(401, 'This page needs the control token to show anything.'));
    }
    tokenAsk = tokenAnswer = null;
    dlg.returnValue = '';
  }

  function headers(extra) {
    const h = Object.assign({ Accept: 'application/json' }, extra);
    const tok = sessionStorage.getItem(TOKEN_KEY);
    if (tok) h.Authorization = 'Bearer ' + tok;
    return h;
  }

  // api calls the control API and returns its JSON; a 401 asks for the
  // token and tries again; any other error throws an APIError with the
  // API's own message.
  async function api(method, path, body, signal) {
    for (;;) {
      const init = { method, headers: headers(), signal };
      if (body !== undefined) {
        init.headers['Content-Type'] = 'application/json';
        init.body = JSON.stringify(body);
      }
      const res = await fetch(API + path, init);
      if (res.status === 401) {
        await askToken(sessionStorage.getItem(TOKEN_KEY)
          ? 'That token was refused. Type the control token this emulator was started with.' : '');
        continue;
      }
      const text = await res.text();
      let data = null;
      if (text) { try { data = JSON.parse(text); } catch { data = text; } }
      if (!res.ok) throw new APIError(res.status, (data && data.error) || text || res.statusText);
      return data;
    }
  }

  // follow reads a server-sent event stream of the control API through
  // fetch (EventSource cannot send the token), calling onEvent for each
  // event, until the stream ends or signal aborts.
  async function follow(path, lastID, onEvent, signal) {
    const h = headers({ Accept: 'text/event-stream' });
    if (lastID) h['Last-Event-ID'] = String(lastID);
    const res = await fetch(API + path, { headers: h, signal });
    if (res.status === 401) {
      await askToken('');
      return;
    }
    if (!res.ok) {
      const text = await res.text();
      let msg = text || res.statusText;
      try { msg = JSON.parse(text).error || msg; } catch { /* not JSON */ }
      throw new APIError(res.status, msg);
    }
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += value;
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const ev = { event: 'message', data: '', id: '' };
        for (const line of block.split('\n')) {
          if (line === '' || line[0] === ':') continue;
          const c = line.indexOf(':');
          const field = c < 0 ? line : line.slice(0, c);
          let v = c < 0 ? '' : line.slice(c + 1);
          if (v[0] === ' ') v = v.slice(1);
          if (field === 'event') ev.event = v;
          else if (field === 'data') ev.data += (ev.data ? '\n' : '') + v;
          else if (field === 'id') ev.id = v;
        }
        if (ev.data) onEvent(ev);
      }
    }
  }

  // guard runs an action and shows its error in the status line.
  async function guard(fn) {
    try {
      await fn();
    } catch (e) {
      if (e.name === 'AbortError') return;
      say(e.message, 'error');
    }
  }

  // ---- the clock in the header -----------------------------------------

  const clockState = { now: null, at: 0, frozen: true };

  function showClock(c) {
    clockState.last = c;
    clockState.now = Date.parse(c.now);
    clockState.at = performance.now();
    clockState.frozen = c.frozen;
    tickClock();
    document.dispatchEvent(new CustomEvent('chatemu:clock', { detail: c }));
  }

  // clockNow is the emulated now, moving with the wall clock while it runs.
  function clockNow() {
    if (clockState.now === null) return null;
    return clockState.now + (clockState.frozen ? 0 : performance.now() - clockState.at);
  }

  function tickClock() {
    const b = $('clock-badge');
    const now = clockNow();
    if (!b || now === null) return;
    b.textContent = fmtTime(new Date(now).toISOString()) + (clockState.frozen ? ' · frozen' : '');
  }
  setInterval(tickClock, 1000);

  // ---- tenants page ----------------------------------------------------

  function credList(rows) {
    const dl = el('dl', { class: 'creds' });
    for (const [name, value, secret] of rows) {
      dl.append(el('dt', {}, name),
        el('dd', {}, el('code', {}, value), secret !== 'plain' ? copyButton(value, name) : null));
    }
    return dl;
  }

  function snippet(title, text) {
    return el('div', { class: 'snippet' },
      el('h4', {}, title, ' ', copyButton(text, title)),
      el('pre', {}, el('code', {}, text)));
  }

  function more(list, n) {
    if (list.length <= n) return list.join(', ') || '—';
    return list.slice(0, n).join(', ') + ' and ' + fmtInt(list.length - n) + ' more';
  }

  async function tenantsPage() {
    const box = $('tenants');
    const t = await api('GET', 'tenants');
    fill(box);
    box.removeAttribute('aria-busy');

    const em = el('section', { 'aria-labelledby': 'h-easemob' }, el('h2', { id: 'h-easemob' }, 'Easemob apps'));
    for (const a of t.easemob) {
      const card = el('section', { class: 'card tenant', 'data-tenant': 'easemob:' + a.org + '/' + a.app },
        el('h3', {}, a.org + '/' + a.app, ' ', el('span', { class: 'muted' }, a.cluster + ' cluster')),
        credList([
          ['Base URL', a.base_url], ['org', a.org], ['app', a.app], ['client_id', a.client_id],
          ['client_secret', a.client_secret], ['OSS bucket', a.oss.bucket],
          ['OSS access_key_id', a.oss.access_key_id], ['OSS access_key_secret', a.oss.access_key_secret],
        ]),
        el('p', { class: 'muted' }, 'Users: ', more(a.users, 12), '. Groups: ', more(a.groups.map((g) => g.id), 6),
          '. Chat rooms: ', more(a.chatrooms.map((r) => r.id), 6), '.'));
      em.append(card);
      const hour = await easemobHour(a);
      card.append(snippet('Token and the archive of hour ' + hour, [
        'TOKEN=$(curl -s -X POST ' + shq(a.base_url + '/' + a.org + '/' + a.app + '/token') +
          " -H 'Content-Type: application/json' \\\n  -d " +
          shq(JSON.stringify({ grant_type: 'client_credentials', client_id: a.client_id, client_secret: a.client_secret })) +
          " | sed -E 's/.*\"access_token\":\"([^\"]+)\".*/\\1/')",
        'curl -s ' + shq(a.base_url + '/' + a.org + '/' + a.app + '/chatmessages/' + hour) + ' -H "Authorization: Bearer $TOKEN"',
      ].join('\n')));
    }
    if (!t.easemob.length) em.append(el('p', { class: 'muted' }, 'None in this world.'));

    const yx = el('section', { 'aria-labelledby': 'h-yunxin' }, el('h2', { id: 'h-yunxin' }, 'Yunxin apps'));
    for (const a of t.yunxin) {
      const card = el('section', { class: 'card tenant', 'data-tenant': 'yunxin:' + a.appkey },
        el('h3', {}, a.appkey),
        credList([['Base URL', a.base_url], ['AppKey', a.appkey], ['AppSecret', a.app_secret]]),
        el('p', { class: 'muted' }, 'Accounts: ', more(a.accounts, 12), '. Rooms: ',
          more(a.chatrooms.map((r) => r.id + ' ' + r.name + (r.status === 'closed' ? ' (closed)' : '')), 8), '.'));
      yx.append(card);
      const [room, sender] = await yunxinPick(a);
      card.append(snippet('Chat room history of ' + sender + ' in room ' + room, [
        'NONCE=$(od -An -N8 -tx8 /dev/urandom | tr -d " "); CURTIME=$(date +%s)',
        'CHECKSUM=$(printf %s ' + shq(a.app_secret) + '"$NONCE$CURTIME" | sha1sum | cut -d" " -f1)',
        'curl -s ' + shq(a.base_url + '/im/v2.1/chatrooms/' + room + '/messages?sender_id=' +
          encodeURIComponent(sender) + '&limit=10') + ' \\\n  -H ' + shq('AppKey: ' + a.appkey) +
          ' -H "Nonce: $NONCE" -H "CurTime: $CURTIME" -H "CheckSum: $CHECKSUM"',
      ].join('\n')));
    }
    if (!t.yunxin.length) yx.append(el('p', { class: 'muted' }, 'None in this world.'));

    const op = el('section', { 'aria-labelledby': 'h-op' }, el('h2', { id: 'h-op' }, 'Op clients'));
    for (const c of t.op) {
      const app = t.easemob.find((a) => a.org + '/' + a.app === c.easemob_app);
      const user = app && app.users.length ? app.users[0] : 'alice';
      const body = JSON.stringify({ userId: user, pageNum: 1, pageSize: 20 });
      const query = 'apiVersion=01&client=' + c.client + '&token=' + c.token;
      op.append(el('section', { class: 'card tenant', 'data-tenant': 'op:' + c.client },
        el('h3', {}, c.client, ' ', el('span', { class: 'muted' }, 'serves ' + c.easemob_app)),
        credList([['Base URL', c.base_url], ['client', c.client], ['token', c.token], ['secret', c.secret],
          ['Qiniu access_key', c.qiniu.access_key], ['Qiniu secret_key', c.qiniu.secret_key]]),
        snippet('userMessageList of ' + user, [
          'BODY=' + shq(body),
          'SIGN=$(printf %s ' + shq(query) + '"$BODY"' + shq(c.secret) + ' | md5sum | cut -d" " -f1)',
          'curl -s -X POST "' + c.base_url + '/op/v2/userMessageList?' + query + '&sign=$SIGN" \\\n' +
            "  -H 'Content-Type: application/json' -d \"$BODY\"",
        ].join('\n'))));
    }
    if (!t.op.length) op.append(el('p', { class: 'muted' }, 'None in this world.'));
    box.append(em, yx, op);
    say(t.easemob.length + t.yunxin.length + t.op.length + ' tenants.');
  }

  // easemobHour is the newest archived hour of app that holds messages,
  // for its ready curl.
  async function easemobHour(a) {
    const h = await api('GET', 'world/easemob/' + enc(a.org) + '/' + enc(a.app) + '/hours?limit=6');
    const best = h.hours.find((x) => x.state === 'archived' && x.messages > 0) ||
      h.hours.find((x) => x.state === 'archived') || h.hours[0];
    return best.hour;
  }

  // yunxinPick is an open room and one of its senders, for the ready curl.
  async function yunxinPick(a) {
    const r = await api('GET', 'world/yunxin/' + enc(a.appkey) + '/rooms?limit=20');
    const room = r.rooms.find((x) => x.status === 'open' && x.senders.length) || r.rooms[0];
    if (!room) return ['1', a.accounts[0] || 'account'];
    return [room.id, room.senders.length ? room.senders[0].account : (a.accounts[0] || 'account')];
  }

  const enc = encodeURIComponent;

  // ---- world page ------------------------------------------------------

  const params = () => new URLSearchParams(location.search);

  // setParams puts the world view's place in the URL, so that a link or a
  // reload shows the same.
  function setParams(p) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(p)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
    history.replaceState(null, '', location.pathname + '?' + q.toString());
  }

  async function worldPage() {
    const sel = $('world-tenant');
    const w = await api('GET', 'world');
    for (const a of w.easemob) sel.append(el('option', { value: a.tenant }, a.tenant + ' — ' + fmtInt(a.messages) + ' messages'));
    for (const a of w.yunxin) sel.append(el('option', { value: a.tenant }, a.tenant + ' — ' + fmtInt(a.messages) + ' messages'));
    for (const c of w.op) sel.append(el('option', { value: c.tenant }, c.tenant + ' — ' + c.users + ' users of ' + c.easemob_app));
    const p = params();
    if (p.get('tenant')) sel.value = p.get('tenant');
    sel.addEventListener('change', () => { setParams({ tenant: sel.value }); guard(() => showTenant(sel.value, new URLSearchParams())); });
    await showTenant(sel.value, p);
  }

  async function showTenant(tenant, p) {
    const view = $('world-view');
    fill(view);
    view.removeAttribute('aria-busy');
    if (!tenant) { view.append(el('p', {}, 'This world has no tenant.')); return; }
    const [vendor, rest] = [tenant.slice(0, tenant.indexOf(':')), tenant.slice(tenant.indexOf(':') + 1)];
    if (vendor === 'easemob') await easemobView(view, tenant, rest, p);
    else if (vendor === 'yunxin') await yunxinView(view, tenant, rest, p);
    else await opView(view, tenant, rest, p);
  }

  // easemobView: the archive hours, a page at a time, and one hour's
  // records.
  async function easemobView(view, tenant, orgApp, p) {
    const base = 'world/easemob/' + orgApp.split('/').map(enc).join('/');
    const list = el('section', { 'aria-labelledby': 'hours-h' });
    const detail = el('section', { id: 'hour-detail', 'aria-labelledby': 'hour-h' });
    view.append(list, detail);
    let from = p.get('from') || '';

    async function loadHours() {
      const h = await api('GET', base + '/hours?limit=24' + (from ? '&from=' + enc(from) : ''));
      const rows = h.hours.map((x) => el('tr', { 'data-hour': x.hour, class: x.hour === p.get('hour') ? 'picked' : null },
        el('td', { 'data-label': 'Hour' }, el('button', {
          type: 'button', class: 'small', 'aria-label': 'Records of hour ' + x.hour,
          onclick: () => guard(() => { p.set('hour', x.hour); p.delete('offset'); p.delete('at'); return loadHour(x.hour, 0); }),
        }, x.hour)),
        el('td', { 'data-label': 'UTC' }, fmtTime(x.start).slice(0, 16) + '–' + x.end.slice(11, 16)),
        el('td', { 'data-label': 'Messages', class: 'num' }, fmtInt(x.messages)),
        el('td', { 'data-label': 'State' }, el('span', { class: 'tag ' + x.state, 'data-state': x.state }, x.state)),
        el('td', { 'data-label': 'Archived at' }, fmtTime(x.archived_at))));
      fill(list, 
        el('h2', { id: 'hours-h' }, 'Archive hours of ' + orgApp),
        el('p', { class: 'muted' }, 'Hours named in ' + (h.cluster === 'cn' ? 'Beijing time (cn cluster)' : 'UTC (overseas cluster)') +
          '. Retention ' + h.retention + ', archived ' + h.archive_delay + ' after the hour ends. Clock: ' + fmtTime(h.now) + '.'),
        el('div', { class: 'table-wrap' }, el('table', { class: 'stack', id: 'hours-table' },
          el('caption', { class: 'sr' }, 'Archive hours, newest first'),
          el('thead', {}, el('tr', {}, ['Hour', 'UTC', 'Messages', 'State', 'Archived at'].map((c) => el('th', { scope: 'col' }, c)))),
          el('tbody', {}, rows))),
        el('div', { class: 'pager' },
          el('button', { type: 'button', disabled: !h.newer, onclick: () => guard(() => { from = h.newer || ''; return loadHours(); }) }, 'Newer hours'),
          el('button', { type: 'button', onclick: () => guard(() => { from = h.older; return loadHours(); }) }, 'Older hours'),
          el('button', { type: 'button', onclick: () => guard(() => { from = ''; return loadHours(); }) }, 'Now')));
    }

    async function loadHour(hour, offset, at) {
      setParams({ tenant, hour, offset: at ? '' : offset, at, highlight: p.get('highlight') });
      for (const tr of list.querySelectorAll('tr[data-hour]')) tr.classList.toggle('picked', tr.dataset.hour === hour);
      const q = at ? 'at=' + enc(at) : 'offset=' + offset;
      const h = await api('GET', base + '/hours/' + enc(hour) + '?' + q + '&limit=20');
      const highlight = p.get('highlight');
      const recs = h.records.map((r) => {
        const text = JSON.stringify(r);
        return el('li', { class: highlight && r.msg_id === highlight ? 'hl' : null, 'data-msg-id': r.msg_id },
          el('pre', {}, el('code', {}, text)));
      });
      const first = h.offset + 1;
      const last = h.offset + h.records.length;
      fill(detail, 
        el('h2', { id: 'hour-h', tabindex: '-1' }, 'Hour ' + h.hour),
        el('p', {}, el('span', { class: 'tag ' + h.state, id: 'hour-state' }, h.state), ' ', fmtInt(h.messages), ' messages, ',
          fmtTime(h.start), ' to ', fmtTime(h.end), '.'),
        h.reason ? el('p', { class: 'reason' }, h.reason) : null,
        el('p', {}, 'Vendor call: ', el('code', {}, h.chatmessages)),
        h.archive_url ? el('p', {}, el('a', { href: h.archive_url, id: 'archive-link' }, 'Download the archive'),
          ' (the signed link chatmessages answers with now) ', copyButton(h.archive_url, 'archive link')) : null,
        el('h3', {}, h.records.length ? 'Records ' + fmtInt(first) + '–' + fmtInt(last) + ' of ' + fmtInt(h.messages) +
          (h.state === 'archived' ? ', as the archive holds them' : ', as the archive will hold them') : 'No records'),
        el('ol', { class: 'records', start: String(first) }, recs),
        el('div', { class: 'pager' },
          el('button', { type: 'button', disabled: h.offset === 0, onclick: () => guard(() => loadHour(hour, Math.max(0, h.offset - 20))) }, 'Previous records'),
          el('button', { type: 'button', disabled: last >= h.messages, onclick: () => guard(() => loadHour(hour, h.offset + 20)) }, 'Next records')));
      detail.querySelector('h2').focus();
    }

    await loadHours();
    if (p.get('hour')) await loadHour(p.get('hour'), Number(p.get('offset') || 0), p.get('at') || '');
  }

  // yunxinView: rooms with their senders, and a sender's pages as the
  // history API returns them.
  async function yunxinView(view, tenant, appKey, p) {
    const base = 'world/yunxin/' + enc(appKey);
    const r = await api('GET', base + '/rooms?limit=200');
    const detail = el('section', { id: 'page-detail', 'aria-labelledby': 'page-h' });
    const rows = r.rooms.map((room) => el('tr', {},
      el('td', { 'data-label': 'Room' }, String(room.id)),
      el('td', { 'data-label': 'Name' }, room.name),
      el('td', { 'data-label': 'Status' }, el('span', { class: 'tag ' + room.status }, room.status)),
      el('td', { 'data-label': 'Messages', class: 'num' }, fmtInt(room.messages)),
      el('td', { 'data-label': 'Senders' }, room.senders.length ? room.senders.map((s) => el('button', {
        type: 'button', class: 'small', 'aria-label': 'Pages of ' + s.account + ' in room ' + room.id,
        onclick: () => guard(() => loadPage(String(room.id), s.account, '')),
      }, s.account + ' (' + fmtInt(s.messages) + ')')) : '—')));
    view.append(el('section', { 'aria-labelledby': 'rooms-h' },
      el('h2', { id: 'rooms-h' }, 'Chat rooms of ' + appKey),
      el('p', { class: 'muted' }, 'Without descending, the history API answers ' + (r.descending_default ? 'newest' : 'oldest') + ' first.'),
      el('div', { class: 'table-wrap' }, el('table', { class: 'stack' },
        el('caption', { class: 'sr' }, 'Rooms with their senders'),
        el('thead', {}, el('tr', {}, ['Room', 'Name', 'Status', 'Messages', 'Senders'].map((c) => el('th', { scope: 'col' }, c)))),
        el('tbody', {}, rows)))), detail);

    async function loadPage(room, sender, token) {
      setParams({ tenant, room, sender, page_token: token });
      const q = 'sender_id=' + enc(sender) + '&limit=20' + (token ? '&page_token=' + enc(token) : '');
      const a = await api('GET', base + '/rooms/' + enc(room) + '/messages?' + q);
      const next = a.body && a.body.data && a.body.data.next_token;
      fill(detail, 
        el('h2', { id: 'page-h', tabindex: '-1' }, sender + ' in room ' + room),
        el('p', {}, 'Vendor call: ', el('code', {}, a.call)),
        a.reason ? el('p', { class: 'reason' }, a.reason) : null,
        el('p', {}, 'HTTP ' + a.status + ', the body as the API returns it:'),
        el('pre', { id: 'page-body' }, el('code', {}, JSON.stringify(a.body, null, 2))),
        el('div', { class: 'pager' },
          el('button', { type: 'button', disabled: !token, onclick: () => guard(() => loadPage(room, sender, '')) }, 'First page'),
          el('button', { type: 'button', disabled: !next, onclick: () => guard(() => loadPage(room, sender, next)) }, 'Next page')));
      detail.querySelector('h2').focus();
    }
    if (p.get('room') && p.get('sender')) await loadPage(p.get('room'), p.get('sender'), p.get('page_token') || '');
  }

  // opView: the client's users with their totals, and a user's records as
  // userMessageList returns them.
  async function opView(view, tenant, client, p) {
    const base = 'world/op/' + enc(client);
    const u = await api('GET', base + '/users?limit=200');
    const detail = el('section', { id: 'records-detail', 'aria-labelledby': 'records-h' });
    view.append(el('section', { 'aria-labelledby': 'users-h' },
      el('h2', { id: 'users-h' }, 'Users of ' + client + ' (Easemob app ' + u.easemob_app + ')'),
      el('div', { class: 'table-wrap' }, el('table', { class: 'stack' },
        el('caption', { class: 'sr' }, 'Users with their message totals'),
        el('thead', {}, el('tr', {}, ['User', 'Messages', 'Records'].map((c) => el('th', { scope: 'col' }, c)))),
        el('tbody', {}, u.users.map((x) => el('tr', {},
          el('td', { 'data-label': 'User' }, x.user),
          el('td', { 'data-label': 'Messages', class: 'num' }, fmtInt(x.messages)),
          el('td', { 'data-label': 'Records' }, el('button', {
            type: 'button', class: 'small', 'aria-label': 'Records of ' + x.user,
            onclick: () => guard(() => loadRecords(x.user, 1)),
          }, 'Records')))))))), detail);

    async function loadRecords(user, pageNum) {
      setParams({ tenant, user, pageNum });
      const a = await api('GET', base + '/users/' + enc(user) + '/messages?pageNum=' + pageNum + '&pageSize=20');
      const page = (a.body && a.body.page) || {};
      fill(detail, 
        el('h2', { id: 'records-h', tabindex: '-1' }, 'Records of ' + user + ', page ' + pageNum),
        el('p', {}, 'Vendor call: ', el('code', {}, a.call), ' with body ', el('code', {}, a.request_body)),
        a.reason ? el('p', { class: 'reason' }, a.reason) : null,
        el('pre', { id: 'records-body' }, el('code', {}, JSON.stringify(a.body, null, 2))),
        el('div', { class: 'pager' },
          el('button', { type: 'button', disabled: pageNum <= 1, onclick: () => guard(() => loadRecords(user, pageNum - 1)) }, 'Previous page'),
          el('button', { type: 'button', disabled: !page.next, onclick: () => guard(() => loadRecords(user, pageNum + 1)) }, 'Next page')));
      detail.querySelector('h2').focus();
    }
    if (p.get('user')) await loadRecords(p.get('user'), Number(p.get('pageNum') || 1));
  }

  // ---- journal page ----------------------------------------------------

  const MAX_ROWS = 500; // the page keeps at most this many rows

  async function journalPage() {
    const rows = $('journal-rows');
    const live = $('live');
    const form = $('journal-filter');
    const t = await api('GET', 'tenants');
    const tsel = $('f-tenant');
    for (const a of t.easemob) tsel.append(el('option', { value: 'easemob:' + a.org + '/' + a.app }, 'easemob:' + a.org + '/' + a.app));
    for (const a of t.yunxin) tsel.append(el('option', { value: 'yunxin:' + a.appkey }, 'yunxin:' + a.appkey));
    for (const c of t.op) tsel.append(el('option', { value: 'op:' + c.client }, 'op:' + c.client));

    const p = params();
    $('f-vendor').value = p.get('vendor') || '';
    $('f-status').value = p.get('status') || '';
    tsel.value = p.get('tenant') || '';
    $('f-unmatched').checked = p.get('unmatched') === 'true';

    let ctrl = null;
    let last = 0;

    function filterQuery() {
      const q = new URLSearchParams();
      for (const k of ['vendor', 'status', 'tenant']) {
        const v = form.elements[k].value.trim();
        if (v) q.set(k, v);
      }
      if (form.elements.unmatched.checked) q.set('unmatched', 'true');
      return q;
    }

    function setLive(text, cls) {
      live.textContent = text;
      live.className = 'live ' + cls;
      live.dataset.state = cls;
    }

    function addRow(s) {
      $('journal-empty').hidden = true;
      const tr = el('tr', { 'data-seq': s.seq, class: s.unmatched ? 'unmatched' : null },
        el('td', { 'data-label': '#', class: 'num nowrap' }, String(s.seq)),
        el('td', { 'data-label': 'Clock', class: 'nowrap' }, s.time.slice(11, 23)),
        el('td', { 'data-label': 'Vendor', class: 'nowrap' }, s.vendor),
        el('td', { 'data-label': 'Operation' }, s.operation, s.unmatched ? [' ', el('span', { class: 'tag unmatched' }, 'unmatched')] : null),
        el('td', { 'data-label': 'Request', class: 'mono' }, s.method + ' ' + s.path + (s.query ? '?' + s.query : '')),
        el('td', { 'data-label': 'Status', class: 'nowrap' }, el('span', { class: 'tag s' + String(s.status)[0] }, s.status === 0 ? 'dropped' : String(s.status)),
          s.fault ? [' ', el('span', { class: 'muted' }, 'fault ' + s.fault)] : null),
        el('td', { 'data-label': 'ms', class: 'num nowrap' }, s.duration_ms.toFixed(1)),
        el('td', { 'data-label': 'Reason', class: 'reason' }, s.reason || ''),
        el('td', {}, el('button', {
          type: 'button', class: 'small', 'aria-expanded': 'false', 'aria-label': 'Details of request ' + s.seq,
          onclick: (ev) => guard(() => toggleDetail(tr, s.seq, ev.currentTarget)),
        }, 'Details')));
      rows.prepend(tr);
      const all = rows.querySelectorAll('tr[data-seq]');
      if (all.length > MAX_ROWS) {
        const old = all[all.length - 1];
        if (old.nextElementSibling) old.nextElementSibling.remove(); // its details
        old.remove();
      }
    }

    async function toggleDetail(tr, seq, button) {
      const open = tr.nextElementSibling && tr.nextElementSibling.classList.contains('detail');
      if (open) {
        tr.nextElementSibling.remove();
        button.setAttribute('aria-expanded', 'false');
        return;
      }
      const v = await api('GET', 'requests/' + seq);
      const hdrs = el('dl', { class: 'creds' }, Object.entries(v.request_headers).sort().map(([k, x]) => [el('dt', {}, k), el('dd', {}, el('code', {}, x))]));
      const cell = el('td', { colspan: '9' },
        el('h3', {}, 'Request ' + seq + ' headers'), hdrs,
        el('h3', {}, 'Request body (' + fmtInt(v.request_body_bytes) + ' bytes' + (v.request_body_truncated ? ', cut' : '') + ')'),
        v.request_body ? el('pre', {}, el('code', {}, pretty(v.request_body))) : el('p', { class: 'muted' }, 'None kept.'),
        el('h3', {}, 'Response body (' + fmtInt(v.response_body_bytes) + ' bytes' + (v.response_body_truncated ? ', cut or binary' : '') + ')'),
        v.response_body ? el('pre', {}, el('code', {}, pretty(v.response_body))) : el('p', { class: 'muted' }, 'None kept.'),
        el('p', { class: 'muted' }, 'Tenant ' + (v.tenant || 'none') + '; emulated time ' + fmtTime(v.time) + '; wall time ' + fmtTime(v.wall_time) +
          '. Credentials are redacted.'));
      tr.after(el('tr', { class: 'detail' }, cell));
      button.setAttribute('aria-expanded', 'true');
    }

    // run follows the stream from the last request seen, reconnecting
    // when it ends (streams last a few minutes) or fails.
    async function run(signal) {
      let delay = 500;
      while (!signal.aborted) {
        try {
          const q = filterQuery();
          if (!last) q.set('limit', '200');
          await follow('requests/stream?' + q.toString(), last, (ev) => {
            delay = 500;
            const d = JSON.parse(ev.data);
            if (ev.event === 'ready') setLive('Live', 'on');
            else if (ev.event === 'cleared') { fill(rows); last = 0; $('journal-empty').hidden = false; }
            else if (ev.event === 'request') { last = d.seq; addRow(d); }
          }, signal);
        } catch (e) {
          if (e.name === 'AbortError') return;
          say(e.message, 'error');
          if (e.status === 400 || e.status === 401) { // a bad filter, or no token: nothing to retry
            setLive('Stopped', 'off');
            return;
          }
        }
        if (signal.aborted) return;
        setLive('Reconnecting…', 'off');
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 10000);
      }
    }

    function restart() {
      if (ctrl) ctrl.abort();
      ctrl = new AbortController();
      last = 0;
      fill(rows);
      $('journal-empty').hidden = false;
      setLive('Connecting…', 'off');
      run(ctrl.signal);
    }

    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const q = filterQuery();
      history.replaceState(null, '', location.pathname + (q.toString() ? '?' + q : ''));
      restart();
    });
    $('journal-clear').addEventListener('click', () => guard(async () => {
      await api('DELETE', 'requests');
      say('Journal cleared.', 'ok');
    }));
    restart();
  }

  // ---- clock page ------------------------------------------------------

  async function clockPage() {
    const freeze = $('clock-freeze');
    function render(c) {
      $('clock-now').textContent = fmtTime(c.now);
      fill($('clock-state'), 'The clock is ', el('span', { class: 'tag ' + (c.frozen ? 'frozen' : 'running'), id: 'clock-frozen' },
        c.frozen ? 'frozen' : 'running'), c.frozen ? ': it moves only when you move it.' : ': it follows the wall clock.');
      freeze.textContent = c.frozen ? 'Let it run' : 'Freeze';
      freeze.dataset.frozen = String(c.frozen);
    }
    document.addEventListener('chatemu:clock', (ev) => render(ev.detail));
    if (clockState.last) render(clockState.last);
    setInterval(() => {
      const n = clockNow();
      if (n !== null && !clockState.frozen) $('clock-now').textContent = fmtTime(new Date(n).toISOString());
    }, 1000);
    async function change(body, what) {
      const c = await api('POST', 'clock', body);
      showClock(c);
      say(what + ': the clock is at ' + fmtTime(c.now) + '.', 'ok');
    }
    freeze.addEventListener('click', () => guard(() => change({ frozen: freeze.dataset.frozen !== 'true' },
      freeze.dataset.frozen === 'true' ? 'Running' : 'Frozen')));
    for (const b of document.querySelectorAll('button[data-advance]')) {
      b.addEventListener('click', () => guard(() => change({ advance: b.dataset.advance }, 'Advanced ' + b.textContent)));
    }
    $('advance-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const v = $('advance-by').value.trim();
      guard(() => change({ advance: v }, 'Advanced by ' + v));
    });
    $('set-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const v = $('set-to').value.trim();
      guard(() => change({ set: v }, 'Set'));
    });
  }

  // ---- faults page -----------------------------------------------------

  async function faultsPage() {
    async function load() {
      const f = await api('GET', 'faults');
      $('faults-empty').hidden = f.faults.length > 0;
      fill($('fault-rows'), ...f.faults.map((x) => el('tr', { 'data-fault': x.id },
        el('td', { 'data-label': 'Id' }, x.id),
        el('td', { 'data-label': 'Vendor' }, x.vendor || 'every'),
        el('td', { 'data-label': 'Method' }, x.method || 'any'),
        el('td', { 'data-label': 'Path', class: 'mono' }, x.path || 'any'),
        el('td', { 'data-label': 'Effect' }, [x.kind, x.status ? 'status ' + x.status : '', x.delay ? 'delay ' + x.delay : ''].filter(Boolean).join(', ')),
        el('td', { 'data-label': 'Left', class: 'num' }, x.remaining === null ? 'until removed' : String(x.remaining)),
        el('td', { 'data-label': 'Hits', class: 'num' }, String(x.hits)),
        el('td', {}, el('button', {
          type: 'button', class: 'small', 'aria-label': 'Remove fault ' + x.id,
          onclick: () => guard(async () => { await api('DELETE', 'faults/' + enc(x.id)); say('Fault ' + x.id + ' removed.', 'ok'); await load(); }),
        }, 'Remove')))));
    }
    $('fault-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const f = ev.currentTarget.elements;
      const rule = { vendor: f.vendor.value, kind: f.kind.value };
      if (f.path.value.trim()) rule.path = f.path.value.trim();
      if (f.delay.value.trim()) rule.delay = f.delay.value.trim();
      const times = Number(f.times.value || 0);
      if (times > 0) rule.times = times;
      guard(async () => {
        const added = await api('POST', 'faults', rule);
        say('Fault ' + added.id + ' added: the next ' + (rule.times ? rule.times + ' ' : '') + rule.vendor + ' call' +
          (rule.times === 1 ? '' : 's') + ' get ' + rule.kind + '.', 'ok');
        await load();
      });
    });
    $('faults-clear').addEventListener('click', () => guard(async () => { await api('DELETE', 'faults'); say('Every fault removed.', 'ok'); await load(); }));
    await load();
  }

  // ---- inject page -----------------------------------------------------

  // content maps a form's Content field to the literal message's key for
  // each type, as POST /_chatemu/messages takes it.
  const contentKey = {
    txt: 'msg', text: 'msg', tip: 'msg', img: 'filename', image: 'filename', audio: 'filename', video: 'filename',
    file: 'filename', loc: 'addr', location: 'title', cmd: 'action', custom: 'event',
  };

  function options(select, values) {
    fill(select, ...values.map(([v, label]) => el('option', { value: v }, label || v)));
  }

  // hourOf names the Easemob archive hour holding an instant: Beijing time
  // on the cn cluster, UTC overseas.
  function hourOf(iso, cluster) {
    const d = new Date(Date.parse(iso) + (cluster === 'cn' ? 8 * 3600e3 : 0));
    return d.toISOString().slice(0, 13).replace(/[-T]/g, '');
  }

  async function injectPage() {
    const t = await api('GET', 'tenants');
    const apps = Object.fromEntries(t.easemob.map((a) => [a.org + '/' + a.app, a]));

    const emT = $('em-tenant');
    options(emT, t.easemob.map((a) => [a.org + '/' + a.app]));
    const emFill = () => {
      const a = apps[emT.value];
      if (!a) return;
      options($('em-from'), a.users.map((u) => [u]));
      options($('em-to'), [...a.users.map((u) => [u, u + ' (user)']), ...a.groups.map((g) => [g.id, g.id + ' (group)']),
        ...a.chatrooms.map((r) => [r.id, r.id + ' ' + r.name + ' (room)'])]);
      if (a.users.length > 1) $('em-to').value = a.users[1];
    };
    emT.addEventListener('change', emFill);
    emFill();

    const yx = Object.fromEntries(t.yunxin.map((a) => [a.appkey, a]));
    const yxT = $('yx-tenant');
    options(yxT, t.yunxin.map((a) => [a.appkey]));
    const yxFill = () => {
      const a = yx[yxT.value];
      if (!a) return;
      options($('yx-sender'), a.accounts.map((u) => [u]));
      options($('yx-room'), a.chatrooms.map((r) => [String(r.id), r.id + ' ' + r.name + (r.status === 'closed' ? ' (closed)' : '')]));
    };
    yxT.addEventListener('change', yxFill);
    yxFill();

    const ops = Object.fromEntries(t.op.map((c) => [c.client, c]));
    const opC = $('op-client');
    options(opC, t.op.map((c) => [c.client]));
    const opFill = () => {
      const c = ops[opC.value];
      const a = c && apps[c.easemob_app];
      if (!a) return;
      options($('op-from'), a.users.map((u) => [u]));
      options($('op-to'), a.users.map((u) => [u]));
      if (a.users.length > 1) $('op-to').value = a.users[1];
    };
    opC.addEventListener('change', opFill);
    opFill();
    for (const id of ['inject-easemob', 'inject-yunxin', 'inject-op']) {
      if (!$(id).querySelector('select').options.length) {
        $(id).replaceChildren(el('p', { class: 'muted' }, 'No such tenant in this world.'));
      }
    }

    // at returns the form's time, or the clock's now: the link to the
    // message needs its time.
    async function at(input) {
      const v = input.value.trim();
      if (v) return new Date(Date.parse(v)).toISOString();
      return (await api('GET', 'clock')).now;
    }

    async function inject(tenant, msg, result, link) {
      const r = await api('POST', 'messages', { tenant, messages: [msg] });
      const id = r.ids[0];
      fill(result, el('p', {}, 'Injected message ', el('code', { class: 'msg-id' }, id), '. ',
        el('a', { href: link(id), class: 'where' }, 'See where it appears')));
      say('Injected ' + id + '.', 'ok');
    }

    $('inject-easemob').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const f = ev.currentTarget.elements;
      guard(async () => {
        const a = apps[f.tenant.value];
        const when = await at(f.at);
        const msg = { from: f.from.value, to: f.to.value, type: f.type.value, at: when };
        msg[contentKey[f.type.value]] = f.content.value;
        const hour = hourOf(when, a.cluster);
        await inject('easemob:' + f.tenant.value, msg, $('inject-easemob-result'), (id) => BASE + '/world?' +
          new URLSearchParams({ tenant: 'easemob:' + f.tenant.value, hour, at: when, highlight: id }));
      });
    });
    $('inject-yunxin').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const f = ev.currentTarget.elements;
      guard(async () => {
        const msg = { sender: f.sender.value, room: Number(f.room.value), type: f.type.value, at: await at(f.at) };
        msg[contentKey[f.type.value]] = f.content.value;
        await inject('yunxin:' + f.tenant.value, msg, $('inject-yunxin-result'), () => BASE + '/world?' +
          new URLSearchParams({ tenant: 'yunxin:' + f.tenant.value, room: f.room.value, sender: f.sender.value }));
      });
    });
    $('inject-op').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const f = ev.currentTarget.elements;
      guard(async () => {
        const c = ops[f.client.value];
        const msg = { from: f.from.value, to: f.to.value, type: 'txt', msg: f.content.value, at: await at(f.at) };
        await inject('easemob:' + c.easemob_app, msg, $('inject-op-result'), () => BASE + '/world?' +
          new URLSearchParams({ tenant: 'op:' + c.client, user: f.to.value }));
      });
    });
  }

  // ---- start -------------------------------------------------------------

  $('token-dialog').addEventListener('close', tokenClosed);
  $('token-button').addEventListener('click', () => { askToken('').catch(() => {}); });
  $('token-forget').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    $('token-dialog').close('forget');
    say('Token forgotten.', 'ok');
  });

  const pagesByName = {
    tenants: tenantsPage, world: worldPage, journal: journalPage, clock: clockPage, faults: faultsPage, inject: injectPage,
  };
  async function start() {
    const page = pagesByName[BODY.dataset.page];
    await guard(async () => {
      showClock(await api('GET', 'clock'));
      if (page) await page();
    });
    BODY.dataset.ready = 'true'; // tests wait for it
  }
  start();
})();
