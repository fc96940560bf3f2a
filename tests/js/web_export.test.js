// The playground's export modules (web/src/export/), pure parts only: CSV and
// JSON of the weights, the SVG heatmap and the "Copy as PyTorch" script.
// Python scripts are checked with python3's own parser (ast) when python3 is
// on the machine; PyTorch itself is not needed.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { loadAttention, tokenize, variants } from '../../wasm/index.js';
import { csvTextCell, parseCsv, parseWeightsCsv, positionLabels, weightsToCsv } from '../../web/src/export/csv.js';
import { parseWeightsJson, weightsToJson } from '../../web/src/export/json.js';
import { pyString } from '../../web/src/export/python.js';
import { MAX_SNIPPET_NUMBERS, pytorchMultiheadSnippet, pytorchSnippet } from '../../web/src/export/pytorch.js';
import { escapeXml, heatmapSvg } from '../../web/src/export/svg.js';
import { headsSvg, layersSvg, linesSvg } from '../../web/src/export/view-svg.js';
import { seededMatrix } from '../../web/src/inputs/random.js';
import { viridis } from '../../web/src/views/colormap.js';

const engine = await loadAttention();
const HOSTILE = ['<script>alert(1)</script>', 'a & b', '"quoted"', "it's", '=SUM(A1:A9)', '+1', '-2', '@cmd', 'a,b', 'two\nlines', "'lead", '\tTab'];

/** Self-attention of text through the engine, as the playground computes it. */
function selfAttention(text, { heads = 2, seed = 7, variant = 'scaled_dot', ...rest } = {}) {
  const tokens = tokenize(text);
  const n = tokens.length;
  const qkv = engine.embedText({ tokens, heads, dim: 16, seed });
  const params = ['general', 'additive', 'top_k'].includes(variant)
    ? engine.seededParams({ variant, dim: 16, seed, k: 2 })
    : undefined;
  const request = { query: qkv.query, key: qkv.key, value: qkv.value, heads, queries: n, keys: n, dim: 16, variant, params, ...rest };
  return { tokens, request, ...engine.attention(request) };
}

describe('CSV of the weights', () => {
  it("reads back as exactly the engine's float32 weights, every head", () => {
    const { tokens, weights } = selfAttention('The animal didn\'t cross the street because it was too tired', { heads: 3, causal: true });
    const csv = weightsToCsv({ weights, heads: 3, queries: tokens.length, keys: tokens.length, rowTokens: tokens });
    const back = parseWeightsCsv(csv);
    expect(back.weights).toEqual(weights);
    expect([back.heads, back.queries, back.keys]).toEqual([3, tokens.length, tokens.length]);
    expect(back.rowTokens).toEqual(tokens);
    expect(back.colTokens).toEqual(tokens);
  });

  it('has a header of key tokens, a head column and query tokens in the second column', () => {
    const csv = weightsToCsv({ weights: Float32Array.from([1, 0, 0.25, 0.75]), heads: 1, queries: 2, keys: 2, rowTokens: ['q1', 'q2'], colTokens: ['k1', 'k2'] });
    expect(csv).toBe('head,query,k1,k2\r\n1,q1,1,0\r\n1,q2,0.25,0.75\r\n');
  });

  it('labels a repeated token with its position, in the header and the query column, and reads back the bare tokens', () => {
    const tokens = ['the', 'cat', 'sat', 'on', 'the', 'mat'];
    const csv = weightsToCsv({ weights: new Float32Array(36).fill(0.5), heads: 1, queries: 6, keys: 6, rowTokens: tokens });
    const [header, ...rows] = parseCsv(csv);
    expect(header).toEqual(['head', 'query', 'the (1)', 'cat', 'sat', 'on', 'the (5)', 'mat']);
    expect(rows.map((row) => row[1])).toEqual(['the (1)', 'cat', 'sat', 'on', 'the (5)', 'mat']);
    expect(new Set(header).size).toBe(header.length);
    const back = parseWeightsCsv(csv);
    expect(back.colTokens).toEqual(tokens);
    expect(back.rowTokens).toEqual(tokens);
  });

  it('labels a token that already ends in a number in brackets, so reading back is lossless', () => {
    const tokens = ['x (2)', 'x (2)', 'y (3)', 'z (9)', 'w'];
    expect(positionLabels(tokens)).toEqual(['x (2) (1)', 'x (2) (2)', 'y (3) (3)', 'z (9) (4)', 'w']);
    const back = parseWeightsCsv(weightsToCsv({ weights: new Float32Array(25), heads: 1, queries: 5, keys: 5, rowTokens: tokens }));
    expect(back.colTokens).toEqual(tokens);
    expect(back.rowTokens).toEqual(tokens);
  });

  it('starts with the header, not a byte order mark', () => {
    const csv = weightsToCsv({ weights: Float32Array.from([1]), heads: 1, queries: 1, keys: 1, rowTokens: ['é'] });
    expect(csv.startsWith('head,query,')).toBe(true);
    expect(csv.charCodeAt(0)).not.toBe(0xfeff);
  });

  it('quotes cells with commas, quotes and line breaks, doubling the quotes', () => {
    expect(csvTextCell('a,b')).toBe('"a,b"');
    expect(csvTextCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvTextCell('two\nlines')).toBe('"two\nlines"');
    expect(csvTextCell('plain')).toBe('plain');
  });

  it('neutralises spreadsheet formulas with a leading apostrophe', () => {
    for (const token of ['=SUM(A1:A9)', '+1', '-2', '@cmd', '\tTab']) expect(csvTextCell(token).replace(/^"/, '')).toMatch(/^'/);
    expect(csvTextCell("'lead")).toBe("''lead");
    const csv = weightsToCsv({ weights: new Float32Array(HOSTILE.length ** 2), heads: 1, queries: HOSTILE.length, keys: HOSTILE.length, rowTokens: HOSTILE });
    for (const cell of parseCsv(csv).flat()) expect(cell, JSON.stringify(cell)).not.toMatch(/^[=+\-@\t\r]/);
  });

  it('gives hostile tokens back unchanged when read', () => {
    const n = HOSTILE.length;
    const weights = seededMatrix({ rows: n, cols: n, seed: 1, distribution: 'uniform' }).data;
    const back = parseWeightsCsv(weightsToCsv({ weights, heads: 1, queries: n, keys: n, rowTokens: HOSTILE }));
    expect(back.rowTokens).toEqual(HOSTILE);
    expect(back.colTokens).toEqual(HOSTILE);
    expect(back.weights).toEqual(weights);
  });

  it('reads a file saved with a byte order mark', () => {
    const csv = weightsToCsv({ weights: Float32Array.from([1]), heads: 1, queries: 1, keys: 1, rowTokens: ['x'] });
    expect(parseWeightsCsv(`\uFEFF${csv}`).weights).toEqual(Float32Array.from([1]));
  });

  it('refuses weights and tokens of the wrong size', () => {
    expect(() => weightsToCsv({ weights: new Float32Array(3), heads: 1, queries: 2, keys: 2, rowTokens: ['a', 'b'] })).toThrow(/expected heads·queries·keys = 4/);
    expect(() => weightsToCsv({ weights: new Float32Array(4), heads: 1, queries: 2, keys: 2, rowTokens: ['a'] })).toThrow(/rowTokens/);
  });
});

describe('JSON of the weights', () => {
  it("reads back as exactly the engine's weights, with tokens and state", () => {
    const { tokens, weights } = selfAttention('le chat est assis', { heads: 2 });
    const n = tokens.length;
    const state = { text: 'le chat est assis', variant: 'scaled_dot', heads: 2, seed: 7 };
    const text = weightsToJson({ weights, heads: 2, queries: n, keys: n, rowTokens: tokens, state });
    const back = parseWeightsJson(text);
    expect(back.weights).toEqual(weights);
    expect(back.rowTokens).toEqual(tokens);
    expect(back.colTokens).toEqual(tokens);
    expect(back.state).toEqual(state);
    const nested = JSON.parse(text).weights;
    expect([nested.length, nested[0].length, nested[0][0].length]).toEqual([2, n, n]);
  });

  it('keeps hostile tokens as JSON strings', () => {
    const n = HOSTILE.length;
    const back = parseWeightsJson(weightsToJson({ weights: new Float32Array(n * n), heads: 1, queries: n, keys: n, rowTokens: HOSTILE }));
    expect(back.rowTokens).toEqual(HOSTILE);
  });
});

// A tiny XML well-formedness check: tags balanced, attributes quoted, no raw
// '<' in text or attribute values, '&' only as one of the five entities.
function xmlProblems(xml) {
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const tag = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>/y;
  const badAmp = /&(?!(?:amp|lt|gt|quot|apos);)/;
  const stack = [];
  const problems = [];
  let pos = 0;
  while (pos < body.length) {
    if (body[pos] === '<') {
      tag.lastIndex = pos;
      const m = tag.exec(body);
      if (!m) {
        problems.push(`bad markup at ${pos}: ${body.slice(pos, pos + 40)}`);
        break;
      }
      if (badAmp.test(m[3])) problems.push(`raw & in attributes of <${m[2]}>`);
      if (m[1]) {
        if (stack.pop() !== m[2]) problems.push(`</${m[2]}> closes the wrong element`);
      } else if (!m[4]) {
        stack.push(m[2]);
      }
      pos = tag.lastIndex;
    } else {
      const next = body.indexOf('<', pos);
      const text = body.slice(pos, next < 0 ? body.length : next);
      if (badAmp.test(text)) problems.push(`raw & in text: ${text.slice(0, 40)}`);
      pos = next < 0 ? body.length : next;
    }
  }
  if (stack.length) problems.push(`unclosed: ${stack.join(', ')}`);
  return problems;
}

/** The cell rects: those in the plot's group. */
const cellRects = (svg) => svg.split('<g shape-rendering="crispEdges">')[1].split('</g>')[0].match(/<rect /g) ?? [];

describe('the SVG heatmap', () => {
  const labels = ['<script>alert(1)</script>', 'a & b', '"q"', "it's", 'x>y'];
  const svgOf = (options = {}) => heatmapSvg({
    weights: seededMatrix({ rows: 5, cols: 5, seed: 2, distribution: 'uniform' }).data.map(Math.abs),
    rows: 5, cols: 5, rowLabels: labels, colLabels: labels, title: 'head <1> & "all"', ...options,
  });

  it('is well-formed XML even with hostile labels and title', () => {
    const svg = svgOf();
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg).not.toContain('<script');
    expect(svg).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(svg).toContain('a &amp; b');
    expect(svg).toContain('&quot;q&quot;');
    expect(svg).toContain('it&apos;s');
    expect(svg).toContain('head &lt;1&gt; &amp; &quot;all&quot;');
  });

  it('escapes the five XML characters and replaces characters XML does not allow', () => {
    expect(escapeXml(`<a href="x">&'`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&apos;');
    expect(escapeXml('nul\u0000 lone\uD800 ok\u{1F600}')).toBe('nul\uFFFD lone\uFFFD ok\u{1F600}');
  });

  it('draws one rect per cell, a legend and the values in hover titles', () => {
    const svg = svgOf();
    expect(cellRects(svg)).toHaveLength(25);
    expect(svg).toContain('url(#heatmap-legend)');
    expect(svg).toMatch(/<title>query 1 &lt;script&gt;alert\(1\)&lt;\/script&gt; → key 2 a &amp; b: [0-9.e-]+<\/title>/);
  });

  it('averages large matrices down to at most maxCells a side and says so', () => {
    const rows = 300, cols = 10;
    const svg = heatmapSvg({ weights: new Float32Array(rows * cols).fill(0.1), rows, cols, maxCells: 256 });
    expect(cellRects(svg)).toHaveLength(150 * 10);
    expect(svg).toContain('Averaged down from 300 × 10 to 150 × 10');
    expect(xmlProblems(svg)).toEqual([]);
  });

  it('draws masked cells hatched grey, not as a weight of 0, and names them in the legend', () => {
    const allowed = Uint8Array.from([1, 0, 1, 1]);
    const svg = heatmapSvg({ weights: Float32Array.from([1, 0, 0.5, 0.5]), rows: 2, cols: 2, allowed });
    expect(xmlProblems(svg)).toEqual([]);
    const fills = svg.split('<g shape-rendering="crispEdges">')[1].split('</g>')[0].match(/fill="[^"]*"/g);
    const middle = `fill="#${viridis(0.5).map((c) => c.toString(16).padStart(2, '0')).join('')}"`;
    expect(fills).toEqual(['fill="#fde725"', 'fill="url(#heatmap-legend-masked)"', middle, middle]);
    expect(svg).toContain('masked (not allowed)');
    expect(svg).toContain('(masked: not allowed)</title>');
    expect(heatmapSvg({ weights: Float32Array.from([1, 0, 0.5, 0.5]), rows: 2, cols: 2 })).not.toContain('masked');
  });

  it('draws signed differences with the diverging palette', () => {
    const svg = heatmapSvg({ values: Float32Array.from([-1, 0, 1, 0.5]), rows: 2, cols: 2, colormap: 'diverging', min: -1, max: 1 });
    expect(svg).toContain('fill="#053061"'); // RdBu's darkest blue at −1
    expect(svg).toContain('fill="#f7f7f7"'); // white at 0
    expect(svg).toContain('fill="#67001f"'); // darkest red at +1
  });
});

describe('the SVG of the lines and heads views', () => {
  const tokens = ['<b>', 'cat', 'a & b', 'mat'];
  const { weights } = selfAttention('w x y z', { heads: 2 });

  it('draws one line per pair of at least the lines view\'s floor, with the weight as opacity, in its head\'s colour', () => {
    const svg = linesSvg({ weights, heads: 2, queries: 4, keys: 4, rowTokens: tokens, head: 1, allHeads: false, layout: 'horizontal' });
    expect(xmlProblems(svg)).toEqual([]);
    const head2 = Array.from(weights.subarray(16, 32)).filter((w) => w >= 0.01);
    expect(svg.match(/<line /g)).toHaveLength(head2.length);
    const opacities = [...svg.matchAll(/stroke-opacity="([0-9.]+)"/g)].map((m) => Number(m[1]));
    expect(opacities).toEqual(head2.map((w) => Math.round(w * 100) / 100));
    expect(svg).toContain('data-head="2"');
    expect(svg).not.toContain('data-head="1"');
    expect(svg).toContain('&lt;b&gt;');
    expect(svg).toContain('a &amp; b');
    expect(svg).not.toContain('<b>');
    expect(svg).toContain('head 2 of 2');
  });

  it('overlays every head when asked, and lays out vertically', () => {
    const svg = linesSvg({ weights, heads: 2, queries: 4, keys: 4, rowTokens: tokens, head: 0, allHeads: true, layout: 'vertical' });
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg).toContain('data-head="1"');
    expect(svg).toContain('data-head="2"');
    expect(svg).toContain('rotate(-90)');
    expect(svg.match(/<line /g)).toHaveLength(Array.from(weights).filter((w) => w >= 0.01).length);
  });

  it('keeps the strongest lines when there are too many and says which were left out', () => {
    const n = 200;
    const many = new Float32Array(n * n).fill(1 / n + 0.01);
    const svg = linesSvg({ weights: many, heads: 1, queries: n, keys: n, rowTokens: Array.from({ length: n }, (_, i) => `t${i}`) });
    expect(svg.match(/<line /g)).toHaveLength(12_000);
    expect(svg).toContain('are not drawn');
  });

  it('draws every head\'s map and their average with one legend, the focused head outlined', () => {
    const average = new Float32Array(16).map((_, p) => (weights[p] + weights[16 + p]) / 2);
    const svg = headsSvg({ weights, average, heads: 2, rows: 4, cols: 4, head: 0, scale: 'linear', palette: 'viridis', max: Math.max(...weights) });
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg.match(/<g shape-rendering="crispEdges">/g)).toHaveLength(3);
    expect(svg).toContain('>head 1<');
    expect(svg).toContain('>head 2<');
    expect(svg).toContain('>average of 2<');
    expect(svg).toContain('url(#tiles-legend)');
    expect(svg.match(/fill="none" stroke="#222222"/g)).toHaveLength(1);
  });

  it('draws a row of maps per layer, and nothing without a model', () => {
    const layer = { weights, average: weights.subarray(0, 16), heads: 2, rows: 4, cols: 4, max: 1 };
    const svg = layersSvg({ layers: [layer, layer], layer: 1, head: 1, scale: 'linear', palette: 'cividis' });
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg).toContain('>layer 1<');
    expect(svg).toContain('>layer 2<');
    expect(svg.match(/<g shape-rendering="crispEdges">/g)).toHaveLength(6);
    expect(layersSvg({ layers: [], message: 'no model' })).toBeNull();
  });
});

// python3 if it is here: the scripts are parsed by Python's own parser.
const python = spawnSync('python3', ['--version'], { encoding: 'utf8' });
const hasPython = !python.error && python.status === 0;

// Parses the script and reports, as JSON: its imports, the names of the
// functions it calls, the token lists, and the numbers of the tensors it
// assigns to q, k, v, expected, W, x_q (flattened).
const INSPECT = String.raw`
import ast, json, sys
tree = ast.parse(sys.stdin.read())
report = {"imports": [], "calls": [], "tensors": {}}
for node in ast.walk(tree):
    if isinstance(node, ast.Import):
        report["imports"] += [a.name for a in node.names]
    elif isinstance(node, ast.ImportFrom):
        report["imports"].append(node.module)
    elif isinstance(node, ast.Call):
        report["calls"].append(ast.unparse(node.func))
def flat(x):
    return [y for z in x for y in flat(z)] if isinstance(x, list) else [x]
for node in tree.body:
    if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
        name = node.targets[0].id
        if name in ("query_tokens", "key_tokens"):
            report[name] = ast.literal_eval(node.value)
        call = node.value
        while isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr != "tensor":
            call = call.func.value
        if isinstance(call, ast.Call) and ast.unparse(call.func) == "torch.tensor":
            report["tensors"][name] = flat(ast.literal_eval(call.args[0]))
report["calls"] = sorted(set(report["calls"]))
print(json.dumps(report))
`;

function inspectPython(script) {
  const run = spawnSync('python3', ['-c', INSPECT], { input: script, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`python3 could not parse the script:\n${run.stderr}`);
  return JSON.parse(run.stdout);
}

describe('Copy as PyTorch', () => {
  it('writes the sizes and Q, K, V as [1, H, N, D] tensors', () => {
    const { tokens, request, weights } = selfAttention('the cat sat on the mat', { heads: 2 });
    const script = pytorchSnippet({ ...request, weights, rowTokens: tokens });
    expect(script).toContain('.unsqueeze(0)');
    expect(script).toContain('H, NQ, NK, D, DV = 2, 6, 6, 16, 16');
  });

  it.skipIf(!hasPython)('writes Q, K, V and the expected weights as float32 literals that read back exactly', () => {
    const { tokens, request, weights } = selfAttention('the cat sat on the mat', { heads: 2 });
    const { tensors } = inspectPython(pytorchSnippet({ ...request, weights, rowTokens: tokens }));
    expect(Float32Array.from(tensors.q)).toEqual(request.query);
    expect(Float32Array.from(tensors.k)).toEqual(request.key);
    expect(Float32Array.from(tensors.v)).toEqual(request.value);
    expect(Float32Array.from(tensors.expected)).toEqual(weights);
  });

  it('computes scaled_dot weights explicitly, checks them with assert_close and checks SDPA\'s output', () => {
    const { request, weights, output } = selfAttention('the cat sat', { temperature: 0.5 });
    const script = pytorchSnippet({ ...request, weights, output });
    expect(script).toContain('scale = 1 / math.sqrt(D) / temperature');
    expect(script).toContain('temperature = 0.5');
    expect(script).toContain('masked_fill(~attn_mask, float("-inf"))');
    expect(script).toContain('nan_to_num(0.0)');
    expect(script).toContain('torch.testing.assert_close(weights, expected, rtol=1e-4, atol=1e-5)');
    expect(script).toContain('torch.testing.assert_close(output, expected_output, rtol=1e-4, atol=1e-5)');
    expect(script).toContain('F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask, scale=scale)');
  });

  it('uses scale 1 for dot and a given scale when there is one', () => {
    const dot = selfAttention('a b', { variant: 'dot' });
    expect(pytorchSnippet({ ...dot.request, weights: dot.weights })).toContain('scale = 1 / temperature');
    const given = selfAttention('a b', { scale: 0.125 });
    expect(pytorchSnippet({ ...given.request, weights: given.weights })).toContain('scale = 0.125 / temperature');
  });

  it('combines causal, window, mask and key padding into one explicit boolean mask, True = may attend', () => {
    const mask = Uint8Array.from({ length: 16 }, (_, x) => (x === 5 ? 0 : 1));
    const keyPadding = Uint8Array.from([0, 0, 0, 1]);
    const { request, weights } = selfAttention('one two three four', { causal: true, window: 1, mask, keyPadding });
    const script = pytorchSnippet({ ...request, weights });
    expect(script).toContain('attn_mask = torch.ones(NQ, NK, dtype=torch.bool)');
    expect(script).toContain('attn_mask &= j <= i');
    expect(script).toContain('attn_mask &= (i - j).abs() <= 1');
    expect(script).toContain('[1, 0, 1, 1],');
    expect(script).toContain('key_padding = torch.tensor([0, 0, 0, 1], dtype=torch.bool)');
    expect(script).toContain('attn_mask &= ~key_padding[None, :]');
  });

  it('writes the explicit math for general, additive, hard and top_k', () => {
    const expectations = {
      general: 'scores = q @ W @ k.transpose(-2, -1) / temperature',
      additive: 'torch.tanh((q @ Wq.T)[..., :, None, :] + (k @ Wk.T)[..., None, :, :]) @ v_a / temperature',
      hard: 'F.one_hot(best, NK)',
      top_k: 'scores.topk(min(top_k, NK), dim=-1)',
    };
    for (const [variant, line] of Object.entries(expectations)) {
      const { request, weights } = selfAttention('the cat sat on the mat', { variant, causal: true });
      const script = pytorchSnippet({ ...request, weights });
      expect(script, variant).toContain(line);
      expect(script, variant).not.toContain('F.scaled_dot_product_attention(');
    }
  });

  it.skipIf(!hasPython)('is a Python program python3 parses, for every variant', () => {
    for (const variant of variants) {
      const { tokens, request, weights, output } = selfAttention('the cat sat on the mat', { variant, window: 2 });
      const report = inspectPython(pytorchSnippet({ ...request, weights, output, rowTokens: tokens }));
      expect(report.imports.sort(), variant).toEqual(['math', 'torch', 'torch.nn.functional']);
      expect(report.calls, variant).toContain('torch.testing.assert_close');
      expect(report.query_tokens, variant).toEqual(tokens);
    }
  });

  it.skipIf(!hasPython)('keeps hostile tokens inside Python string literals, unchanged', () => {
    const tokens = ['"]\nimport os\nos.system("echo pwned")  #', '\\', "'''", '\u202etxt.exe', 'a\u0000b', 'zwj\u200d', '\u2028', '猫', '👍🏽'];
    const n = tokens.length;
    const weights = new Float32Array(n * n).fill(1 / n);
    const qkv = seededMatrix({ rows: n, cols: 2, seed: 1 }).data;
    const script = pytorchSnippet({ query: qkv, key: qkv, value: qkv, queries: n, keys: n, dim: 2, weights, rowTokens: tokens, colTokens: tokens });
    const report = inspectPython(script);
    expect(report.query_tokens).toEqual(tokens);
    expect(report.key_tokens).toEqual(tokens);
    expect(report.imports.sort()).toEqual(['math', 'torch', 'torch.nn.functional']);
    expect(report.calls).not.toContain('os.system');
    expect(pyString('\u202e')).toBe('"\\u202e"');
  });

  it.skipIf(!hasPython)('rebuilds nn.MultiheadAttention with its projections and the playground\'s per-head weights', () => {
    const E = 4, H = 2, NQ = 3, NK = 3;
    const m = (rows, cols, seed) => seededMatrix({ rows, cols, seed, scale: 0.5 }).data;
    const request = {
      query: m(NQ, E, 1), key: m(NK, E, 2), value: m(NK, E, 3), heads: H, queries: NQ, keys: NK,
      inProjWeight: m(3 * E, E, 4), inProjBias: m(1, 3 * E, 5), outProjWeight: m(E, E, 6), outProjBias: m(1, E, 7),
      causal: true, keyPadding: Uint8Array.from([0, 0, 1]),
    };
    const { weights, output } = engine.multiHeadAttention(request);
    const script = pytorchMultiheadSnippet({ ...request, weights, output, rowTokens: ['a', 'b', 'c'] });
    expect(script).toContain('mha = torch.nn.MultiheadAttention(E, H, batch_first=True)');
    expect(script).toContain('average_attn_weights=False');
    expect(script).toContain('.triu(1)');
    const report = inspectPython(script);
    expect(report.calls).toEqual(expect.arrayContaining(['mha.in_proj_weight.copy_', 'mha.out_proj.weight.copy_', 'torch.testing.assert_close']));
    expect(Float32Array.from(report.tensors.x_q)).toEqual(request.query);
    expect(Float32Array.from(report.tensors.expected)).toEqual(weights);
    expect(Float32Array.from(report.tensors.expected_output)).toEqual(output);
  });

  it('refuses a script too large to paste, and an unknown variant', () => {
    const n = Math.ceil(Math.sqrt(MAX_SNIPPET_NUMBERS));
    const big = { query: new Float32Array(n), key: new Float32Array(n), value: new Float32Array(n), queries: n, keys: n, dim: 1, weights: new Float32Array(n * n) };
    expect(() => pytorchSnippet(big)).toThrow(/Too large to copy as PyTorch/);
    expect(() => pytorchSnippet({ ...big, queries: 1, keys: 1, variant: 'os.system' })).toThrow(/variant: expected one of/);
  });
});
