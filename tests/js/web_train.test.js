// Train mode's pure parts: its settings read from a link and turned into the
// training API's (web/src/state/train.js), and what a run keeps in bounded
// memory (web/src/compute/train-history.js).
import { describe, expect, it } from 'vitest';
import {
  chunkSize, createCurves, createTimeline, PROBE_FLOATS, probeLength, timelineSize,
} from '../../web/src/compute/train-history.js';
import { pageTable, readHash, toHash } from '../../web/src/state/table.js';
import { describeSettingsError, settingsKey, trainSettingsOf } from '../../web/src/state/train.js';
import { parseTrainSettings } from '../../wasm/train.js';

const table = pageTable(['scaled_dot']);
const read = (hash) => readHash(table, hash);

describe('train mode in the link', () => {
  it('reads every setting from the link and writes it back', () => {
    const { state, adjustments, ignored } = read('#input=train&task=recall&layers=3&heads=4&width=64&context=80&batch=8&lr=0.002&steps=500&seed=9&distance=40');
    expect(adjustments).toEqual([]);
    expect(ignored).toEqual([]);
    expect(state).toMatchObject({ input: 'train', task: 'recall', layers: 3, heads: 4, width: 64, context: 80, batch: 8, lr: 0.002, steps: 500, seed: 9, distance: 40 });
    expect(read(toHash(table, state)).state).toEqual(state);
  });

  it('fills defaults that train as they are', () => {
    const { state } = read('#input=train');
    const { settings, error } = trainSettingsOf(state);
    expect(error).toBeUndefined();
    expect(settings).toMatchObject({ task: 'copy', layers: 2, heads: 2, width: 32, context: 24, learningRate: 0.01, seed: 0 });
    expect(() => parseTrainSettings(settings)).not.toThrow();
  });

  it('clamps numbers to the trainer\'s bounds and says so; an unknown task is ignored', () => {
    const { state, adjustments, ignored } = read('#input=train&layers=99&width=4096&context=2&lr=1e9&task=poetry');
    expect(state).toMatchObject({ layers: 12, width: 512, context: 4, lr: 1000, task: 'copy' });
    expect(adjustments.map((a) => a.name)).toEqual(['layers', 'width', 'context', 'lr']);
    expect(ignored).toEqual([{ name: 'task', from: 'poetry' }]);
  });

  it('takes a blank distance as the API\'s own default', () => {
    const { state } = read('#input=train&task=recall&context=32&distance=');
    expect(state.distance).toBeNull();
    expect(trainSettingsOf(state).settings).not.toHaveProperty('distance');
    expect(trainSettingsOf({ ...state, distance: 12 }).settings.distance).toBe(12);
    // only recall has a distance
    expect(trainSettingsOf({ ...state, task: 'copy', distance: 12 }).settings).not.toHaveProperty('distance');
  });
});

describe('trainSettingsOf', () => {
  const base = read('#input=train&width=16&heads=2').state;

  it('names the page\'s field when heads do not divide the width', () => {
    expect(trainSettingsOf({ ...base, heads: 3 }).error).toEqual({ prop: 'heads', message: 'Heads: 3 does not divide the width 16' });
  });

  it('names the distance when it does not fit the context', () => {
    const { error } = trainSettingsOf({ ...base, task: 'recall', context: 16, distance: 40 });
    expect(error.prop).toBe('distance');
    expect(error.message).toMatch(/^Distance: expected an integer from 2 to 14, got 40/);
  });

  it('gives the text task its pasted text, or null for Moby-Dick', () => {
    expect(trainSettingsOf({ ...base, task: 'text', traintext: '  ' }).settings.text).toBeNull();
    expect(trainSettingsOf({ ...base, task: 'text', traintext: 'call me ishmael' }).settings.text).toBe('call me ishmael');
    expect(trainSettingsOf({ ...base, task: 'copy', traintext: 'ignored' }).settings).not.toHaveProperty('text');
  });

  it('maps the API\'s field names to the page\'s words and properties', () => {
    expect(describeSettingsError('learningRate: expected a finite number > 0, got 0')).toEqual({ prop: 'lr', message: 'Learning rate: expected a finite number > 0, got 0' });
    expect(describeSettingsError('text: at most 8 bytes')).toEqual({ prop: 'traintext', message: 'Text: at most 8 bytes' });
    expect(describeSettingsError('the core is out of memory')).toEqual({ prop: null, message: 'the core is out of memory' });
  });

  it('keys runs by their settings: any change is a new run', () => {
    const a = trainSettingsOf(base).settings;
    expect(settingsKey(a)).toBe(settingsKey({ ...a }));
    expect(settingsKey({ ...a, seed: a.seed + 1 })).not.toBe(settingsKey(a));
  });
});

const point = (step, x = step) => ({ step, attentionLoss: x, baselineLoss: 2 * x, attentionAccuracy: x / 10, baselineAccuracy: 0 });

describe('createCurves', () => {
  it('keeps one point per step below its cap', () => {
    const curves = createCurves({ cap: 10 });
    for (let s = 1; s <= 10; s++) curves.push(point(s));
    expect(curves.points().step).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(curves.points().baselineLoss[2]).toBe(6);
    expect(curves.last).toEqual({ step: 10, attentionLoss: 10, baselineLoss: 20, attentionAccuracy: 1, baselineAccuracy: 0 });
    expect(curves.stride).toBe(1);
  });

  it('past its cap averages neighbours in pairs and later steps in twos, keeping the whole run', () => {
    const curves = createCurves({ cap: 4 });
    for (let s = 1; s <= 5; s++) curves.push(point(s));
    // 5 points passed the cap of 4: (1,2) (3,4) and 5 alone
    expect(curves.points().step).toEqual([2, 4, 5]);
    expect(curves.points().attentionLoss).toEqual([1.5, 3.5, 5]);
    expect(curves.stride).toBe(2);
    curves.push(point(6));
    expect(curves.points().step).toEqual([2, 4, 5]); // a bucket of two fills first
    curves.push(point(7));
    expect(curves.points().step).toEqual([2, 4, 5, 7]);
    expect(curves.points().attentionLoss.at(-1)).toBe(6.5);
    for (let s = 8; s <= 1000; s++) curves.push(point(s));
    expect(curves.points().step.length).toBeLessThanOrEqual(4);
    // the newest point lags the run by less than one stride (its bucket still filling)
    expect(curves.points().step.at(-1)).toBeGreaterThan(1000 - curves.stride);
  });
});

describe('createTimeline', () => {
  const entry = (step) => ({ step, attentions: [new Float32Array([step])] });

  it('keeps a map every so many steps and always shows the newest', () => {
    const t = createTimeline({ max: 8, every: 10 });
    for (const s of [0, 4, 9]) t.add(entry(s));
    expect(t.entries().map((e) => e.step)).toEqual([0, 9]);
    t.add(entry(10));
    expect(t.entries().map((e) => e.step)).toEqual([0, 10]);
    t.add(entry(10)); // the same step again (a pause after a chunk) replaces it
    expect(t.entries().map((e) => e.step)).toEqual([0, 10]);
  });

  it('stays bounded: past max, every other map goes and the spacing doubles', () => {
    const t = createTimeline({ max: 4, every: 1 });
    for (let s = 0; s <= 100; s++) t.add(entry(s));
    const steps = t.entries().map((e) => e.step);
    expect(steps.length).toBeLessThanOrEqual(5);
    expect(steps[0]).toBe(0);
    expect(steps.at(-1)).toBe(100);
    expect(t.every).toBeGreaterThan(1);
    t.clear();
    expect(t.entries()).toEqual([]);
    expect(t.every).toBe(1);
  });
});

describe('chunkSize', () => {
  it('aims at the target time, at least one step, never past the run', () => {
    expect(chunkSize(NaN)).toBe(1);
    expect(chunkSize(2, { targetMs: 60 })).toBe(30);
    expect(chunkSize(500, { targetMs: 60 })).toBe(1);
    expect(chunkSize(0.001, { maxSteps: 1000 })).toBe(1000);
    expect(chunkSize(2, { targetMs: 60, left: 7 })).toBe(7);
  });
});

describe('probeLength and timelineSize', () => {
  it('shows the whole probe while its maps are small, a prefix when they would not fit', () => {
    expect(probeLength({ layers: 2, heads: 2, context: 24 })).toBe(24);
    const T = probeLength({ layers: 12, heads: 16, context: 512 });
    expect(T).toBeLessThan(512);
    expect(12 * 16 * T * T).toBeLessThanOrEqual(PROBE_FLOATS);
    expect(12 * 16 * (T + 1) * (T + 1)).toBeGreaterThan(PROBE_FLOATS);
  });

  it('keeps as many snapshots as the budget holds, from 8 to 64', () => {
    expect(timelineSize(4 * 2 * 2 * 24 * 24)).toBe(64);
    expect(timelineSize(4 * PROBE_FLOATS)).toBe(32);
    expect(timelineSize(2 ** 30)).toBe(8);
  });
});
