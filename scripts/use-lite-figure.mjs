// Writes docs/use-lite-heads.svg: every layer's and head's attention of the
// bundled Universal Sentence Encoder lite on the README's example sentence,
// computed by this core (loadModel('use-lite')), with the row of "it" marked.
//   node scripts/use-lite-figure.mjs [sentence]
import { writeFileSync } from 'node:fs';
import { loadModel } from '../wasm/index.js';

const sentence = process.argv[2] ?? "The animal didn't cross the street because it was too tired";
const model = await loadModel('use-lite');
const { tokens, attentions } = model.run({ text: sentence });
const T = tokens.length;
const cell = 14, gap = 36, label = 92, top = 40;
const mapSize = T * cell;
const { layers, headsPerLayer } = model.info;
const width = label + headsPerLayer[0] * (mapSize + gap);
const height = top + layers * (mapSize + label + gap);
const it = tokens.indexOf('▁it');
const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const shown = (t) => esc(t.replace(/^▁/, ''));
// viridis, a few stops, linear between them
const stops = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
const colour = (v) => {
  const x = Math.min(1, Math.max(0, v)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x)), f = x - i;
  const c = stops[i].map((a, k) => Math.round(a + (stops[i + 1][k] - a) * f));
  return `rgb(${c.join(',')})`;
};
const parts = [];
for (let l = 0; l < layers; l++) {
  for (let h = 0; h < headsPerLayer[l]; h++) {
    const x0 = label + h * (mapSize + gap), y0 = top + l * (mapSize + label + gap);
    const w = attentions[l].subarray(h * T * T, (h + 1) * T * T);
    const max = Math.max(...w);
    let best = 0;
    for (let j = 1; j < T; j++) if (w[it * T + j] > w[it * T + best]) best = j;
    parts.push(`<text x="${x0}" y="${y0 - 8}" font-size="12">layer ${l + 1} · head ${h + 1}: it → ${shown(tokens[best])} (${w[it * T + best].toFixed(2)})</text>`);
    for (let i = 0; i < T; i++) {
      for (let j = 0; j < T; j++) {
        parts.push(`<rect x="${x0 + j * cell}" y="${y0 + i * cell}" width="${cell}" height="${cell}" fill="${colour(w[i * T + j] / max)}"/>`);
      }
    }
    parts.push(`<rect x="${x0 - 1}" y="${y0 + it * cell - 1}" width="${mapSize + 2}" height="${cell + 2}" fill="none" stroke="#e4572e" stroke-width="2"/>`);
    for (let j = 0; j < T; j++) {
      parts.push(`<text transform="translate(${x0 + j * cell + cell - 3},${y0 + mapSize + 4}) rotate(60)" font-size="10">${shown(tokens[j])}</text>`);
    }
    if (h === 0) {
      for (let i = 0; i < T; i++) parts.push(`<text x="${x0 - 4}" y="${y0 + i * cell + cell - 3}" font-size="10" text-anchor="end">${shown(tokens[i])}</text>`);
    }
  }
}
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="8" y="18" font-size="13">Universal Sentence Encoder lite, run by this core: rows are queries, columns keys, each map scaled to its own largest weight; the row of "it" is outlined.</text>
${parts.join('\n')}
</svg>
`;
writeFileSync(new URL('../docs/use-lite-heads.svg', import.meta.url), svg);
console.log(`wrote docs/use-lite-heads.svg (${T} tokens)`);
