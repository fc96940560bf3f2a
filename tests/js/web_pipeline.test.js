// The pipeline strip's data (web/src/views/present.js pipelineData): the
// stages from the selected query's token to its output, with the numbers the
// core computed for that row, the view that shows each stage, and the stage
// each variant changes.
import { describe, expect, it } from 'vitest';
import { loadAttention, tokenize, variants } from '../../wasm/index.js';
import { buildRequest } from '../../web/src/compute/requests.js';
import { createRunner } from '../../web/src/compute/run.js';
import { pageTable, readHash } from '../../web/src/state/table.js';
import { pipelineData } from '../../web/src/views/present.js';
import { traceOf } from '../../web/src/views/registry.js';

const engine = await loadAttention();
const table = pageTable([...variants]);
const runner = createRunner(engine);

/** The page's state, result and the pipeline data of a link's hash. */
function pipelineOf(hash) {
  const { state } = readHash(table, hash);
  const tokens = tokenize(state.text);
  const result = runner.compute(buildRequest(state, { tokens }));
  const head = state.head;
  const trace = traceOf({ engine, result, head, state });
  return { state, result, trace, data: pipelineData(state, result, tokens, head, trace) };
}

describe('the pipeline strip\'s data', () => {
  it('follows the selected query through every stage with the core\'s numbers', () => {
    const { result, trace, data } = pipelineOf('#text=the+cat+sat+on+the+mat&heads=2&head=2&query=4&key=1');
    expect(data.stages.map((s) => s.id)).toEqual(['x', 'qkv', 'score', 'scale', 'softmax', 'output']);
    expect(data.stages.map((s) => s.name)).toEqual(['x', 'q, k, v', 'q·k', '÷√16', 'softmax', 'Σ w·v']);
    expect(data.stages.map((s) => s.view)).toEqual(['steps', 'steps', 'breakdown', 'steps', 'heatmap', 'output']);
    const [x, qkv, score, scale, softmax, output] = data.stages;
    expect(x.detail).toBe('“the” #5');
    // q is query 5's row of head 2; the scores, logits and weights the core's trace of that row.
    expect(Array.from(qkv.values)).toEqual(Array.from(result.query.subarray((1 * 6 + 4) * 16, (1 * 6 + 5) * 16)));
    expect(score.values).toBe(trace.scores);
    expect(scale.values).toBe(trace.logits);
    expect(Array.from(softmax.values)).toEqual(Array.from(result.weights.subarray((1 * 6 + 4) * 6, (1 * 6 + 5) * 6)));
    expect(Array.from(output.values)).toEqual(Array.from(result.output.subarray((1 * 6 + 4) * 16, (1 * 6 + 5) * 16)));
    expect([score.mark, scale.mark, softmax.mark]).toEqual([1, 1, 1]);
    expect(softmax.detail).toBe(`“cat”: ${Number(result.weights[(1 * 6 + 4) * 6 + 1].toPrecision(3))}`);
    expect(data.stages.some((s) => s.differs)).toBe(false);
  });

  it('names the stage each variant changes', () => {
    const changed = (variant) => pipelineOf(`#text=a+b+c&variant=${variant}`).data.stages.filter((s) => s.differs).map((s) => s.id);
    expect(changed('scaled_dot')).toEqual([]);
    expect(changed('dot')).toEqual(['scale']);
    expect(changed('general')).toEqual(['score', 'scale']);
    expect(changed('additive')).toEqual(['score', 'scale']);
    expect(changed('hard')).toEqual(['softmax']);
    expect(changed('top_k')).toEqual(['softmax']);
    expect(pipelineOf('#text=a+b+c&variant=dot').data.note).toContain('dot does not divide by √d');
    expect(pipelineOf('#text=a+b+c&variant=top_k&k=2').data.stages[4].name).toBe('softmax of top 2');
  });

  it('names the temperature in the scale stage when it is not 1, and shows the stages without a trace', () => {
    expect(pipelineOf('#text=a+b&temperature=0.5').data.stages[3].name).toBe('÷√16 ÷ 0.5');
    const { state, result } = pipelineOf('#text=a+b');
    const bare = pipelineData(state, result, ['a', 'b'], 1, undefined);
    expect(bare.stages.map((s) => s.values === null)).toEqual([true, false, true, true, false, false]);
  });
});
