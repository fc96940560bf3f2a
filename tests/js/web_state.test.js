// The playground's state table (web/src/state/table.js): parsing, clamping, the
// notes a hand-written or hostile link gets, and the hash round trip.
import { describe, expect, it } from 'vitest';
import {
  clampSelection, defaultState, describeHashChanges, fromHash, parseValue, readHash, stateTable, toHash, VIEWS, withEdit, withValues,
} from '../../web/src/state/table.js';

const VARIANTS = ['scaled_dot', 'dot', 'general', 'additive', 'hard', 'top_k'];
const table = stateTable(VARIANTS);
const prop = (name) => table.find((p) => p.name === name);

describe('parseValue', () => {
  it('clamps integers to their bounds and rounds them', () => {
    expect(parseValue(prop('heads'), '99')).toBe(8);
    expect(parseValue(prop('heads'), '0')).toBe(1);
    expect(parseValue(prop('heads'), '2.6')).toBe(3);
    expect(parseValue(prop('heads'), ' 4 ')).toBe(4);
  });

  it('clamps decimals without rounding them', () => {
    expect(parseValue(prop('temperature'), '-3')).toBe(0.05);
    expect(parseValue(prop('temperature'), '0.75')).toBe(0.75);
    expect(parseValue(prop('temperature'), '1e9')).toBe(5);
  });

  it('reads unreadable numbers as undefined, not zero', () => {
    for (const raw of ['', 'abc', 'NaN', 'Infinity', '1/2', null, undefined]) {
      expect(parseValue(prop('seed'), raw), String(raw)).toBeUndefined();
    }
  });

  it('reads none, null, unlimited and blank as null for a nullable property', () => {
    for (const raw of ['none', 'NULL', 'unlimited', '', null]) expect(parseValue(prop('window'), raw)).toBeNull();
    expect(parseValue(prop('window'), '-5')).toBe(0);
  });

  it('reads booleans from words and checkboxes', () => {
    for (const raw of ['true', '1', 'on', 'YES', true]) expect(parseValue(prop('causal'), raw)).toBe(true);
    for (const raw of ['false', '0', 'off', 'no', false]) expect(parseValue(prop('causal'), raw)).toBe(false);
    expect(parseValue(prop('causal'), 'maybe')).toBeUndefined();
  });

  it('accepts only the listed values of an enum', () => {
    expect(parseValue(prop('variant'), 'general')).toBe('general');
    expect(parseValue(prop('variant'), 'GENERAL')).toBeUndefined();
    expect(parseValue(prop('view'), 'lines')).toBe('lines');
    expect(parseValue(prop('view'), '__proto__')).toBeUndefined();
    expect(parseValue(prop('palette'), 'jet')).toBeUndefined();
  });

  it('cuts text to the maximum length', () => {
    expect(parseValue(prop('text'), 'x'.repeat(300_000))).toHaveLength(200_000);
  });
});

describe('the state table', () => {
  it('has the view properties with their defaults', () => {
    const state = defaultState(table);
    expect(state).toMatchObject({
      view: 'heatmap', query: 0, key: 0, scale: 'linear', palette: 'viridis', theme: 'light', layout: 'horizontal', allheads: true, table: false,
    });
    expect(prop('view').values).toEqual(VIEWS);
    expect(VIEWS).toEqual(['heatmap', 'lines', 'heads', 'steps', 'breakdown', 'output', 'stats', 'layers']);
  });

  it('keeps the shown head one of the heads', () => {
    let state = withEdit(table, defaultState(table), 'heads', '4');
    state = withEdit(table, state, 'head', '4');
    expect(state.head).toBe(4);
    state = withEdit(table, state, 'heads', '2');
    expect([state.heads, state.head]).toEqual([2, 2]);
  });

  it('ignores edits of unknown properties and unreadable values', () => {
    const state = defaultState(table);
    expect(withEdit(table, state, 'nonsense', '1')).toBe(state);
    expect(withEdit(table, state, 'seed', 'abc')).toBe(state);
  });

  it('sets several properties at once', () => {
    const state = withValues(table, defaultState(table), { query: 3, key: 5 });
    expect([state.query, state.key]).toEqual([3, 5]);
  });
});

describe('the URL hash', () => {
  it('round-trips every property, including text with &, =, #, + and emoji', () => {
    const state = {
      ...defaultState(table),
      text: 'a&b=c #d + e 😀 <b>x</b> %20',
      variant: 'top_k', heads: 5, head: 3, causal: true, window: 4, temperature: 0.35, seed: 4294967295, k: 3,
      view: 'steps', query: 7, key: 2, scale: 'log', palette: 'cividis', theme: 'dark', layout: 'vertical', allheads: false, table: true,
    };
    expect(readHash(table, toHash(table, state))).toEqual({ state, adjustments: [], ignored: [] });
    expect(fromHash(table, toHash(table, defaultState(table)))).toEqual(defaultState(table));
  });

  it('writes window none for unlimited and reads it back', () => {
    const hash = toHash(table, defaultState(table));
    expect(hash).toMatch(/window=none/);
    expect(fromHash(table, hash).window).toBeNull();
  });

  it('gives the defaults for an empty or absent hash', () => {
    for (const hash of ['', '#', undefined]) expect(fromHash(table, hash)).toEqual(defaultState(table));
  });

  it('clamps out-of-range values and says what it changed', () => {
    const { state, adjustments } = readHash(table, '#heads=99&head=42&temperature=-3&window=-5&k=0');
    expect(state).toMatchObject({ heads: 8, head: 8, temperature: 0.05, window: 0, k: 1 });
    expect(adjustments).toEqual([
      { name: 'heads', from: '99', to: '8' },
      { name: 'head', from: '42', to: '8' },
      { name: 'window', from: '-5', to: '0' },
      { name: 'temperature', from: '-3', to: '0.05' },
      { name: 'k', from: '0', to: '1' },
    ]);
    expect(describeHashChanges({ adjustments })).toBe(
      'Adjusted from the link: heads 99 → 8, head 42 → 8, window -5 → 0, temperature -3 → 0.05, k 0 → 1',
    );
  });

  it('notes a head above the number of heads', () => {
    const { state, adjustments } = readHash(table, '#heads=3&head=5');
    expect([state.heads, state.head]).toEqual([3, 3]);
    expect(adjustments).toEqual([{ name: 'head', from: '5', to: '3' }]);
  });

  it('ignores unknown keys silently and lists unreadable values', () => {
    const { state, adjustments, ignored } = readHash(table, '#seed=abc&variant=bogus&foo=bar&constructor=1&__proto__=x');
    expect(state).toEqual(defaultState(table));
    expect(adjustments).toEqual([]);
    expect(ignored).toEqual([{ name: 'variant', from: 'bogus' }, { name: 'seed', from: 'abc' }]);
    expect(describeHashChanges({ ignored })).toBe('Ignored unreadable values: variant "bogus", seed "abc"');
    expect(Object.keys(state)).not.toContain('foo');
  });

  it('quotes at most 24 characters of a hostile value in a note', () => {
    const { ignored } = readHash(table, `#view=${encodeURIComponent('<img src=x onerror=alert(1)>'.repeat(5))}`);
    expect(ignored[0].from).toHaveLength(24);
  });

  it('says nothing about values it took as written', () => {
    expect(readHash(table, '#heads=4&temperature=0.50&seed=7&window=none')).toMatchObject({ adjustments: [], ignored: [] });
  });

  it('notes text that had to be cut', () => {
    const { state, adjustments } = readHash(table, `#text=${'a'.repeat(200_001)}`);
    expect(state.text).toHaveLength(200_000);
    expect(adjustments).toEqual([{ name: 'text', from: `${'a'.repeat(23)}…`, to: '200000 characters' }]);
  });
});

describe('clampSelection', () => {
  it('moves the selected query and key onto the tokens there are', () => {
    const state = { ...defaultState(table), query: 40, key: 3 };
    const { state: next, adjustments } = clampSelection(state, 13);
    expect([next.query, next.key]).toEqual([12, 3]);
    expect(adjustments).toEqual([{ name: 'query', from: '40', to: '12' }]);
  });

  it('leaves a selection inside the tokens unchanged', () => {
    const state = { ...defaultState(table), query: 2, key: 3 };
    expect(clampSelection(state, 13)).toEqual({ state, adjustments: [] });
  });
});
