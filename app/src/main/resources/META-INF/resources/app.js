// The Planstream page: upload or drop a plan, see its neighbours, watch the pipeline, the training rounds and the
// models.
// Plain ES module, no build step and no third-party code: everything the page needs comes from this server.

const K = 12;
const STATUS_EVERY_MS = 1500;
const MODELS_EVERY_MS = 5000;
const WAIT_LIMIT_MS = 120000;

const $ = (id) => document.getElementById(id);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** An answer that was not 2xx, with the server's code and message. */
class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// With access control on (planstream.security.enabled), requests carry the key the user entered; it is
// kept for this tab only (sessionStorage), never in a cookie or the URL.
const KEY_ITEM = 'planstream.apiKey';
const apiKey = () => sessionStorage.getItem(KEY_ITEM) || '';
const withKey = (headers = {}) => (apiKey() ? { ...headers, 'X-API-Key': apiKey() } : headers);

/** fetch() with the key; a 401 or 403 opens the key field with the server's reason. */
async function authFetch(path, options = {}) {
  const res = await fetch(path, { ...options, headers: withKey(options.headers || {}) });
  if (res.status === 401 || res.status === 403) {
    showKeyField(res.status === 401 ? 'This server needs an API key.' : 'This key may not do that.');
  }
  return res;
}

/** Sets an image from a URL that may need the key: plain src without one, a blob URL with one. */
async function setImage(img, url) {
  if (!apiKey() || url.startsWith('blob:')) { img.src = url; return; }
  const res = await authFetch(url);
  if (res.ok) img.src = URL.createObjectURL(await res.blob());
}

function showKeyField(reason) {
  $('key-form').hidden = false;
  $('key-reason').textContent = reason;
}

function setUpKeyField() {
  $('key-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const value = $('key-input').value.trim();
    if (value) sessionStorage.setItem(KEY_ITEM, value); else sessionStorage.removeItem(KEY_ITEM);
    $('key-input').value = '';
    $('key-form').hidden = true;
    lastModelsKey = null;
  });
}

async function api(path, options = {}) {
  const res = await authFetch(path, { ...options, headers: { Accept: 'application/json', ...(options.headers || {}) } });
  const text = await res.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch { body = null; }
  if (!res.ok) {
    const message = body && body.message ? body.message : `${res.status} ${res.statusText || ''}`.trim();
    throw new ApiError(res.status, body && body.error, message);
  }
  return body;
}

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('data-')) e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children) e.append(c);
  return e;
}

function showError(message) {
  $('error').textContent = message;
  $('error').hidden = !message;
}

function setState(text) {
  $('search-state').textContent = text;
}

function roomsText(meta) {
  if (!meta) return '';
  const total = meta['rooms.total'];
  const parts = Object.entries(meta).filter(([k]) => k.startsWith('rooms.') && k !== 'rooms.total' && meta[k] !== '0')
    .map(([k, v]) => `${v} ${k.slice(6)}`);
  return total === undefined ? '' : `${total} rooms${parts.length ? ': ' + parts.join(', ') : ''}`;
}

/** The room count and bedrooms, for a neighbour's card; the full counts are its tooltip. */
function shortRooms(meta) {
  if (!meta || meta['rooms.total'] === undefined) return '';
  // rooms.bedroom already sums RPLAN's bedroom group (master, second, child, guest and study rooms)
  const bedrooms = Number(meta['rooms.bedroom'] || 0);
  return `${meta['rooms.total']} rooms, ${bedrooms} bedroom${bedrooms === 1 ? '' : 's'}`;
}

// ------------------------------------------------------------------ filters

const FILTER_DELAY_MS = 400;

/**
 * The filter row as query parameters ({@code filter=} repeated, {@code minScore}) and as words for the
 * state line; {@code problem} says what the browser could not read (a number field holding no number).
 */
function readFilters() {
  const filters = [];
  const problems = [];
  const number = (id, name) => {
    const input = $(id);
    if (input.validity.badInput) problems.push(`${name} must be a number`);
    return input.value.trim();
  };
  const bedrooms = number('f-bedrooms', 'bedrooms');
  if (bedrooms) filters.push(`rooms.bedroom:${bedrooms}`);
  const from = number('f-rooms-from', 'rooms from');
  const to = number('f-rooms-to', 'rooms to');
  if (from || to) filters.push(`rooms.total:[${from || '*'} TO ${to || '*'}]`);
  const format = $('f-format').value;
  if (format) filters.push(`format:${format}`);
  for (const f of $('f-other').value.split(';')) {
    if (f.trim()) filters.push(f.trim());
  }
  const minScore = number('f-min-score', 'min score');
  const params = new URLSearchParams();
  for (const f of filters) params.append('filter', f);
  if (minScore) params.set('minScore', minScore);
  const words = [...filters, ...(minScore ? [`score ≥ ${minScore}`] : [])];
  $('filters').classList.toggle('active', words.length > 0);
  return { params, words, problem: problems.join('; ') };
}

let filterTimer = 0;
let appliedFilters = '';

/** Re-runs the current search when the filters changed since it ran. */
function applyFilters() {
  clearTimeout(filterTimer);
  const { params, problem } = readFilters();
  const key = problem ? `problem:${problem}` : params.toString();
  if (key === appliedFilters) return;
  appliedFilters = key;
  if (current) showNeighbours(current.id, current.justUploaded);
}

function setUpFilters() {
  const form = $('filters');
  form.addEventListener('input', () => {
    clearTimeout(filterTimer);
    filterTimer = setTimeout(applyFilters, FILTER_DELAY_MS);
  });
  form.addEventListener('change', applyFilters);
  form.addEventListener('submit', (e) => { e.preventDefault(); applyFilters(); });
  form.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') { e.preventDefault(); applyFilters(); }
  });
  // the fields are emptied after the reset event
  form.addEventListener('reset', () => setTimeout(applyFilters, 0));
  appliedFilters = readFilters().params.toString();
}

// ------------------------------------------------------------------ search

// searchToken: the plan searched from (a new upload or click moves it on); resultsToken: the neighbour
// list (also a filter change). An answer for an older token is dropped.
let searchToken = 0;
let resultsToken = 0;
/** The plan searched from, once the server gave its id: { id, justUploaded }. */
let current = null;
/** Hits received for the current plan (the next page's from) and the ids shown. */
let received = 0;
let shownIds = new Set();

function clearNeighbours() {
  $('neighbours').replaceChildren();
  $('more').hidden = true;
  received = 0;
  shownIds = new Set();
}

async function uploadFile(file) {
  showError('');
  const token = ++searchToken;
  resultsToken++;
  current = null;
  $('delete').hidden = true;
  const form = new FormData();
  form.append('file', file, file.name);
  setState(`Uploading ${file.name} …`);
  clearNeighbours();
  showQuery(URL.createObjectURL(file), `${file.name} (as uploaded)`, {});
  let answer;
  try {
    answer = await api('/images', { method: 'POST', body: form });
  } catch (e) {
    setState('');
    $('query').hidden = true;
    showError(`Upload refused: ${e.message}`);
    return;
  }
  if (token !== searchToken) return;
  setState(`Accepted as ${answer.id} (${answer.format}, ${answer.width}×${answer.height}); waiting until it is indexed …`);
  await searchFrom(answer.id, token, null, true);
}

/** What the page lists of an image: its attributes, the room counts in one line, other metadata as they are. */
function describe(img) {
  const meta = img.metadata || {};
  const out = { id: img.id, format: img.format || '?' };
  if (img.width) out.size = `${img.width}×${img.height}`;
  if (img.filename) out.file = img.filename;
  if (roomsText(meta)) out.rooms = roomsText(meta);
  for (const [k, v] of Object.entries(meta)) {
    if (!k.startsWith('rooms.') && k !== 'rplan.categories') out[k] = v;
  }
  return out;
}

function showQuery(src, caption, meta) {
  $('query').hidden = false;
  setImage($('query-image'), src);
  $('query-caption').textContent = caption;
  const dl = $('query-meta');
  dl.replaceChildren();
  for (const [k, v] of Object.entries(meta)) {
    dl.append(el('dt', {}, k), el('dd', {}, String(v)));
  }
}

/** Loads the server's thumbnail of {@code id} (for RPLAN files, its rendering), retrying until the index has it. */
async function showThumbnail(id, token) {
  const deadline = Date.now() + WAIT_LIMIT_MS;
  while (token === searchToken && Date.now() < deadline) {
    const res = await authFetch(`/images/${encodeURIComponent(id)}/thumbnail`);
    if (res.ok) {
      const url = URL.createObjectURL(await res.blob());
      if (token === searchToken) {
        $('query-image').src = url;
        $('query-caption').textContent = `${id} (as the server renders it)`;
      }
      return;
    }
    await sleep(500);
  }
}

/** Shows {@code id} as the plan searched from, and its neighbours under the current filters. */
async function searchFrom(id, token = ++searchToken, hit = null, justUploaded = false) {
  showError('');
  current = { id, justUploaded };
  $('delete').hidden = false;
  $('delete').disabled = false;
  if (hit) {
    showQuery(`/images/${encodeURIComponent(id)}/thumbnail`, id, describe({ id, format: hit.format, metadata: hit.metadata }));
  }
  showThumbnail(id, token);
  api(`/images/${encodeURIComponent(id)}`).then((img) => {
    if (token === searchToken) showQuery($('query-image').src, $('query-caption').textContent, describe(img));
  }).catch(() => { /* a process without the ingest role does not know it; the hit's metadata stays */ });
  await showNeighbours(id, justUploaded);
}

/** The neighbours' query string: page size, offset and the filter row. */
function similarPath(id, from, filters) {
  const params = new URLSearchParams({ k: String(K), from: String(from) });
  for (const [k, v] of filters.params) params.append(k, v);
  return `/images/${encodeURIComponent(id)}/similar?${params}`;
}

function stateLine(answer, id, words) {
  return `${received} nearest plans of ${id}${words.length ? ` with ${words.join(', ')}` : ''}`
    + ` in model version ${answer.modelVersion} (${answer.tookMs.toFixed(1)} ms)`;
}

/**
 * Shows the first page of {@code id}'s neighbours, waiting while it is not searchable yet. Right after
 * an upload the index may not have read the image at all, so there an unknown id is also waited for.
 */
async function showNeighbours(id, justUploaded) {
  const token = ++resultsToken;
  showError('');
  $('more').hidden = true;
  const filters = readFilters();
  appliedFilters = filters.problem ? `problem:${filters.problem}` : filters.params.toString();
  if (filters.problem) {
    clearNeighbours();
    setState('');
    showError(`Filters: ${filters.problem}`);
    return;
  }
  const deadline = Date.now() + WAIT_LIMIT_MS;
  while (token === resultsToken) {
    try {
      const answer = await api(similarPath(id, 0, filters));
      if (token !== resultsToken) return;
      clearNeighbours();
      renderNeighbours(answer);
      setState(stateLine(answer, id, filters.words));
      return;
    } catch (e) {
      if (token !== resultsToken) return;
      const waiting = e.code === 'not_indexed_yet' || e.code === 'index_not_ready' || (justUploaded && e.code === 'not_found');
      if (!waiting || Date.now() > deadline) {
        setState('');
        clearNeighbours();
        showError(e.message);
        return;
      }
      setState(`${e.message} …`);
      await sleep(500);
    }
  }
}

/** Appends the next page of the current plan's neighbours: from = the hits received so far, same k and filters. */
async function showMore() {
  if (!current) return;
  const token = resultsToken;
  const { id } = current;
  const filters = readFilters();
  $('more').disabled = true;
  try {
    const answer = await api(similarPath(id, received, filters));
    if (token !== resultsToken) return;
    renderNeighbours(answer);
    setState(stateLine(answer, id, filters.words));
  } catch (e) {
    if (token === resultsToken) showError(e.message);
  } finally {
    $('more').disabled = false;
  }
}

/** Appends an answer's hits as cards (a plan already shown, moved by new uploads, is not shown twice). */
function renderNeighbours(answer) {
  received += answer.hits.length;
  const items = answer.hits.filter((h) => !shownIds.has(h.id)).map((h) => {
    shownIds.add(h.id);
    const thumb = el('img', { alt: `plan ${h.id}`, loading: 'lazy' });
    setImage(thumb, h.thumbnail);
    const b = el('button', { type: 'button', title: `search from ${h.id}` },
      thumb,
      el('div', { class: 'score' }, `score ${h.score.toFixed(3)}`),
      el('div', { class: 'small' }, `v${h.modelVersion} · ${h.format || '?'}`),
      el('div', { class: 'small rooms', title: roomsText(h.metadata) }, shortRooms(h.metadata)),
      el('div', { class: 'small', title: h.id }, h.filename || `${h.id.slice(0, 12)}…`));
    b.addEventListener('click', () => searchFrom(h.id, ++searchToken, h));
    return el('li', { class: 'hit', 'data-id': h.id }, b);
  });
  $('neighbours').append(...items);
  // a page shorter than k is the last one
  $('more').hidden = answer.hits.length < K;
}

/** Deletes the plan searched from, after asking. */
async function deleteCurrent() {
  if (!current) return;
  const { id } = current;
  if (!window.confirm(`Delete plan ${id}? It is removed from the store, the index and the map.`)) return;
  $('delete').disabled = true;
  try {
    await api(`/images/${encodeURIComponent(id)}`, { method: 'DELETE' });
  } catch (e) {
    $('delete').disabled = false;
    showError(`Delete refused: ${e.message}`);
    return;
  }
  if (!current || current.id !== id) return;
  searchToken++;
  resultsToken++;
  current = null;
  $('query').hidden = true;
  $('delete').hidden = true;
  clearNeighbours();
  showError('');
  setState(`${id} deleted`);
}

function setUpUpload() {
  const drop = $('drop');
  $('file').addEventListener('change', (e) => {
    const f = e.target.files[0];
    if (f) uploadFile(f);
  });
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  $('more').addEventListener('click', showMore);
  $('delete').addEventListener('click', deleteCurrent);
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const f = e.dataTransfer.files[0];
    if (f) uploadFile(f);
  });
}

// ------------------------------------------------------------------ status and models

let lastModelsKey = '';

function text(id, v) {
  $(id).textContent = v === null || v === undefined ? '–' : String(v);
}

function renderStatus(s) {
  text('status-time', `updated ${new Date(s.time).toLocaleTimeString()}`);
  text('count-roles', s.roles.join(', '));
  text('count-accepted', s.ingest ? s.ingest.images : s.index ? s.index.images : null);
  const index = s.index;
  const active = index && index.versions.find((v) => v.state === 'active');
  text('count-indexed', active ? active.documents : null);
  if (active) mapMaybeStale(`${active.version}:${active.documents}`);
  text('count-active', index ? index.active : null);
  text('count-target', index ? index.target : null);
  text('count-dead', s.deadLetters.count);
  const last = s.deadLetters.last;
  $('dead-last').textContent = last ? `last dead letter: ${last.stage}: ${last.reason}` : '';
  const embedderLag = new Map((s.embedder ? s.embedder.versions : []).map((v) => [v.version, v.lag]));
  const rows = (index ? index.versions : []).map((v) => el('tr', { 'data-version': v.version },
    el('td', {}, String(v.version)), el('td', {}, v.state), el('td', {}, String(v.documents)),
    el('td', {}, lag(embedderLag.has(v.version) ? embedderLag.get(v.version) : v.embedderLag)),
    el('td', {}, lag(v.indexLag)), el('td', {}, String(v.dimension))));
  $('versions').tBodies[0].replaceChildren(...rows);
  renderTraining(s);
}

function lag(v) {
  return v === undefined || v === null || v < 0 ? '?' : String(v);
}

const fmt = (v) => (v === undefined || v === null || Number.isNaN(v) ? '' : Number(v).toFixed(3));

function renderModels(m) {
  const rows = m.versions.map((v) => el('tr', { 'data-version': v.version },
    el('td', {}, String(v.version) + (v.version === m.active ? ' (active)' : '') + (v.pinned ? ' (pinned)' : '')),
    el('td', {}, v.state), el('td', {}, v.architecture || ''), el('td', {}, v.parent === null || v.parent === undefined ? '' : String(v.parent)),
    el('td', {}, String(v.documents)), el('td', {}, fmt(v.metrics.heldout_ntxent)), el('td', {}, fmt(v.metrics.knn_top1)),
    el('td', {}, fmt(v.metrics.retrieval_map10)), el('td', {}, fmt(v.metrics.retrieval_auc)),
    el('td', {}, fmt(v.metrics.alignment)), el('td', {}, fmt(v.metrics.uniformity))));
  $('model-table').tBodies[0].replaceChildren(...rows);
  const key = m.versions.map((v) => `${v.version}:${Object.keys(v.metrics).length}`).join(',');
  if (key !== lastModelsKey) {
    lastModelsKey = key;
    setImage($('metrics-plot'), `/models/metrics.png?versions=${encodeURIComponent(key)}`);
  }
}

/** Polls {@code path} every {@code every()} milliseconds (a function: the page looks closer while something happens). */
/** The models panel now, not at its next poll: a version was published or switched. */
function refreshModels() {
  api('/models').then(renderModels).catch(() => { /* the next poll tries again */ });
}

async function poll(path, every, render) {
  for (;;) {
    try {
      render(await api(path));
    } catch (e) {
      // The panel keeps its last values; a process without the role answers 503, which is no news.
    }
    await sleep(every());
  }
}

// ------------------------------------------------------------------ training and roll-outs

// While a round or a roll-out runs, the status is read more often, so that its steps show as they happen.
const BUSY_EVERY_MS = 500;
const LOG_LINES = 12;
const OUTCOME = { REJECTED: 'rejected by the gate', SKIPPED: 'skipped', FAILED: 'failed' };
const GATE_METRICS = [['heldout_ntxent', 'NT-Xent loss'], ['knn_top1', 'kNN top-1'], ['retrieval_map10', 'retrieval mAP@10'],
  ['retrieval_auc', 'retrieval AUC'], ['alignment', 'alignment'], ['uniformity', 'uniformity']];

/** What the last status showed, to log what changed; null before the first. */
let seen = null;
/** The newest round result shown (from the status or from a Train now answer), by its start time. */
let shownRound = null;
let busy = false;
let trainRequested = false;

const statusEvery = () => (busy || trainRequested ? BUSY_EVERY_MS : STATUS_EVERY_MS);

function logEvent(line) {
  const log = $('train-log');
  log.prepend(el('li', {}, `${new Date().toLocaleTimeString()} ${line}`));
  while (log.children.length > LOG_LINES) log.lastElementChild.remove();
}

/** The round in progress, in words: its phase, epoch, step and the last step's loss. */
function roundText(p) {
  const parts = [`Round ${p.round} (${p.trigger})`, p.phase];
  if (p.totalSteps > 0) parts.push(`epoch ${Math.max(p.epoch, 1)} of ${p.epochs}, step ${p.step} of ${p.totalSteps}`);
  const loss = Number(p.lastLoss);
  if (Number.isFinite(loss)) parts.push(`loss ${loss.toFixed(4)}`);
  return parts.join(' · ');
}

function verdictHeadline(r) {
  // A published round's reason starts with what the headline says already.
  const reason = r.outcome === 'PUBLISHED' ? r.reason.replace(/^version \d+ published: /, '') : r.reason;
  const what = r.outcome === 'PUBLISHED' ? `published version ${r.publishedVersion}` : OUTCOME[r.outcome] || r.outcome;
  return `Round ${r.round} (${r.trigger}) ${what}: ${reason}`;
}

/** A finished round: the gate's verdict with both models' held-out metrics. Newer results only. */
function showVerdict(r) {
  if (!r || (shownRound && Date.parse(r.started) < Date.parse(shownRound.started))) return;
  const fresh = !shownRound || shownRound.started !== r.started;
  shownRound = r;
  const box = $('train-verdict');
  box.hidden = false;
  box.className = `verdict ${r.outcome.toLowerCase()}`;
  box.dataset.round = String(r.round);
  box.dataset.outcome = r.outcome;
  const took = Number(r.took);
  $('train-verdict-text').replaceChildren(el('strong', {}, verdictHeadline(r)), el('br'),
    el('span', { class: 'muted' }, `trained on ${r.trainImages} plans for ${r.steps} steps, judged on ${r.heldOutImages} held-out`
      + ` plans${Number.isFinite(took) ? `, in ${took.toFixed(1)} s` : ''}`));
  const parent = r.parentVersion === null || r.parentVersion === undefined ? null : r.parentVersion;
  $('train-current-head').textContent = parent === null ? 'current' : `version ${parent}`;
  $('train-metrics').tBodies[0].replaceChildren(...GATE_METRICS.filter(([k]) => k in r.candidate || k in r.current)
    .map(([k, name]) => el('tr', {}, el('td', {}, name), el('td', {}, fmt(r.current[k])),
      el('td', {}, fmt(r.candidate[k])))));
  if (fresh && seen) logEvent(verdictHeadline(r));
}

/** The roll-out of the target version: its backfill beside the active one, then its activation. */
function renderRollout(s) {
  const index = s.index;
  const box = $('rollout');
  if (!index || index.target === null || index.target === undefined) { box.hidden = true; return false; }
  const target = index.target;
  const active = index.active;
  const total = s.ingest ? s.ingest.images : index.images;
  const row = index.versions.find((v) => v.version === target);
  const documents = row ? row.documents : 0;
  const rolling = target !== active;
  box.hidden = false;
  box.dataset.version = String(target);
  box.dataset.state = rolling ? 'backfill' : 'active';
  if (rolling) {
    const embedder = s.embedder && s.embedder.versions.find((v) => v.version === target);
    const toEmbed = embedder && embedder.lag >= 0 ? `, ${embedder.lag} still to embed` : '';
    $('rollout-text').textContent = `Roll-out of version ${target}: backfill, ${Math.min(documents, total)} of ${total} plans`
      + ` embedded and indexed${toEmbed}; version ${active === null ? 'none' : active} answers queries until it has caught up`;
  } else {
    $('rollout-text').textContent = `Version ${target} is active: ${documents} plans searchable in its embedding space`;
  }
  $('rollout-progress').value = total > 0 ? Math.min(documents, total) / total : 1;
  return rolling;
}

function renderTraining(s) {
  const runs = s.roles.includes('trainer');
  $('training').hidden = !runs;
  if (!runs) return;
  const t = s.trainer && s.trainer.status;
  const p = t && t.progress;
  const running = Boolean(p && p.phase !== 'idle');
  $('train-now').disabled = !t || running || trainRequested;
  if (!t) {
    $('trainer-summary').textContent = 'The trainer has not started yet (the demo starts it once its plans are searchable).';
  } else {
    $('trainer-summary').textContent = `${t.bufferImages} plans in the training buffer`
      + ` (${t.sampling}, at most ${t.bufferCapacity}),`
      + ` ${t.rounds} round${t.rounds === 1 ? '' : 's'} run; `
      + (t.minNewImages > 0 ? `the next starts on its own after ${t.minNewImages} new plans (${t.newSinceRound} so far).`
        : 'rounds run when asked.');
  }
  $('train-round').hidden = !running;
  if (running) {
    $('train-round-text').textContent = roundText(p);
    $('train-progress').value = p.totalSteps > 0 ? p.step / p.totalSteps : 0;
    if (p.phase !== 'training' && p.totalSteps === 0) $('train-progress').removeAttribute('value');
  }
  if (t && t.lastRound) showVerdict(t.lastRound);
  const rolling = renderRollout(s);
  busy = running || rolling;
  const now = { round: p ? p.round : 0, phase: p ? p.phase : 'idle', target: s.index ? s.index.target : null,
    active: s.index ? s.index.active : null };
  if (seen) {
    if (running && (now.round !== seen.round || seen.phase === 'idle')) logEvent(`round ${p.round} (${p.trigger}) started`);
    if (running && p.phase === 'evaluating' && seen.phase !== 'evaluating') {
      logEvent(`round ${p.round}: ${p.step} steps trained; the gate compares the candidate with the current model`);
    }
    if (now.target !== null && now.target !== seen.target && now.target !== now.active) {
      logEvent(`version ${now.target}: backfill started beside version ${now.active}`);
    }
    if (now.active !== null && now.active !== seen.active) logEvent(`version ${now.active} active`);
    if (now.active !== seen.active || now.target !== seen.target) refreshModels();
  }
  seen = now;
}

async function trainNow() {
  trainRequested = true;
  $('train-now').disabled = true;
  $('train-state').textContent = 'Round requested …';
  try {
    const r = await api('/admin/trainer/rounds', { method: 'POST' });
    $('train-state').textContent = '';
    showVerdict(r);
  } catch (e) {
    $('train-state').textContent = `Train now refused: ${e.message}`;
  } finally {
    trainRequested = false;
  }
}

// ------------------------------------------------------------------ embedding map

// Exact t-SNE is quadratic in the points (about 3 s for 1,000 on the server): it maps a smaller sample.
const MAP_SAMPLE = { pca: 2000, tsne: 1000 };
const MAP_EVERY_MS = 5000;
let mapPoints = [];
let mapKey = '';
let mapLoadedAt = 0;

/** Reloads the map when the active version or its size changed, at most every MAP_EVERY_MS. */
function mapMaybeStale(key) {
  // A t-SNE map costs seconds of server time: it follows new uploads less often.
  const every = $('map-projection').value === 'tsne' ? 6 * MAP_EVERY_MS : MAP_EVERY_MS;
  if (key !== mapKey && Date.now() - mapLoadedAt > every) {
    mapKey = key;
    loadMap();
  }
}

async function loadMap() {
  mapLoadedAt = Date.now();
  const projection = $('map-projection').value;
  $('map-limit').textContent = String(MAP_SAMPLE[projection]);
  if (projection === 'tsne') $('map-state').textContent = 't-SNE running on the server …';
  try {
    const m = await api(`/map?projection=${projection}&sample=${MAP_SAMPLE[projection]}`);
    if (m.projection !== $('map-projection').value) return;
    mapPoints = m.points;
    $('map-state').textContent = `model version ${m.modelVersion}, ${m.projection === 'tsne' ? 't-SNE' : 'PCA'}: `
      + `${m.points.length} of ${m.total} plans; the two principal axes explain `
      + `${(100 * (m.explained[0] + m.explained[1])).toFixed(1)}% of the variance`;
    drawMap();
  } catch (e) {
    $('map-state').textContent = e.message;
  }
}

function colourOf(value, palette) {
  if (!palette.has(value)) palette.set(value, `hsl(${(palette.size * 137.5) % 360} 65% 45%)`);
  return palette.get(value);
}

function mapValue(p, field) {
  return field === 'format' ? p.format || '?' : (p.metadata && p.metadata[field]) || '?';
}

function drawMap() {
  const canvas = $('map-canvas');
  const ratio = window.devicePixelRatio || 1;
  const w = canvas.clientWidth || 600;
  const h = Math.min(480, Math.round(w * 0.6));
  canvas.width = w * ratio;
  canvas.height = h * ratio;
  const g = canvas.getContext('2d');
  g.scale(ratio, ratio);
  g.clearRect(0, 0, w, h);
  const field = $('map-colour').value;
  const palette = new Map();
  const sorted = [...new Set(mapPoints.map((p) => mapValue(p, field)))].sort((a, b) => (Number(a) - Number(b)) || String(a).localeCompare(String(b)));
  sorted.forEach((v) => colourOf(v, palette));
  for (const p of mapPoints) {
    p.sx = 12 + p.x * (w - 130);
    p.sy = 12 + (1 - p.y) * (h - 24);
    g.fillStyle = palette.get(mapValue(p, field));
    g.beginPath();
    g.arc(p.sx, p.sy, 4, 0, 2 * Math.PI);
    g.fill();
  }
  let y = 14;
  g.font = '11px system-ui, sans-serif';
  for (const [v, c] of palette) {
    g.fillStyle = c;
    g.fillRect(w - 90, y - 8, 8, 8);
    g.fillStyle = '#333';
    g.fillText(`${field} ${v}`, w - 78, y);
    y += 13;
    if (y > h - 8) break;
  }
}

function nearestPoint(e) {
  const r = $('map-canvas').getBoundingClientRect();
  const x = e.clientX - r.left;
  const y = e.clientY - r.top;
  let best = null;
  let bestD = 64;
  for (const p of mapPoints) {
    const d = (p.sx - x) ** 2 + (p.sy - y) ** 2;
    if (d < bestD) { bestD = d; best = p; }
  }
  return { p: best, x, y };
}

function setUpMap() {
  const canvas = $('map-canvas');
  const hover = $('map-hover');
  canvas.addEventListener('mousemove', (e) => {
    const { p, x, y } = nearestPoint(e);
    if (!p) { hover.hidden = true; return; }
    if (hover.title !== p.id) setImage(hover, `/images/${encodeURIComponent(p.id)}/thumbnail`);
    hover.title = p.id;
    hover.style.left = `${Math.min(x + 12, canvas.clientWidth - 100)}px`;
    hover.style.top = `${Math.max(y - 108, 0)}px`;
    hover.hidden = false;
  });
  canvas.addEventListener('mouseleave', () => { hover.hidden = true; });
  canvas.addEventListener('click', (e) => {
    const { p } = nearestPoint(e);
    if (p) {
      searchFrom(p.id, ++searchToken, { metadata: p.metadata, format: p.format });
      $('search').scrollIntoView({ behavior: 'smooth' });
    }
  });
  $('map-colour').addEventListener('change', drawMap);
  $('map-projection').addEventListener('change', loadMap);
  window.addEventListener('resize', drawMap);
}

setUpKeyField();
setUpUpload();
setUpFilters();
setUpMap();
$('train-now').addEventListener('click', trainNow);
poll('/status', statusEvery, renderStatus);
poll('/models', () => MODELS_EVERY_MS, renderModels);

// For the browser test: where the map's points were drawn (module bindings are live).
export { mapPoints };
