// <attention-playground>'s attributes (web/src/element/attributes.js): read
// as a URL hash is read, and what was clamped or ignored is told as a link's
// changes are told, with one console line a changed attribute.
import { describe, expect, it } from 'vitest';
import { describeAttributeChanges, elementTable, readAttributes, stateFromAttributes } from '../../web/src/element/attributes.js';

const table = elementTable(['scaled_dot', 'dot', 'general', 'additive', 'hard', 'top_k']);
const reader = (attributes) => (name) => (name in attributes ? attributes[name] : null);

describe('the element reads its attributes', () => {
  it('clamps heads="1e9" to 8 and ignores view="javascript:alert(1)", and says so', () => {
    const read = readAttributes(table, reader({ heads: '1e9', view: 'javascript:alert(1)' }));
    expect(read.state).toMatchObject({ heads: 8, view: 'heatmap' });
    const { note, warnings } = describeAttributeChanges(read);
    expect(note).toBe('Adjusted from the attributes: heads 1e9 → 8. Ignored unreadable values: view "javascript:alert(1)"');
    expect(warnings).toEqual([
      { name: 'heads', text: '<attention-playground>: attribute heads="1e9" is out of range; using 8' },
      { name: 'view', text: '<attention-playground>: attribute view="javascript:alert(1)" is not a value it takes; using heatmap' },
    ]);
  });

  it('names the default it used for an unknown variant', () => {
    const { warnings } = describeAttributeChanges(readAttributes(table, reader({ variant: 'bogus' })));
    expect(warnings).toEqual([
      { name: 'variant', text: '<attention-playground>: attribute variant="bogus" is not a value it takes; using scaled_dot' },
    ]);
  });

  it('has nothing to tell of valid attributes, a bare boolean attribute included', () => {
    const read = readAttributes(table, reader({ heads: '3', head: '2', view: 'lines', causal: '', controls: 'full', window: 'none' }));
    expect(read.state).toMatchObject({ heads: 3, head: 2, view: 'lines', causal: true, controls: 'full', window: null });
    expect(describeAttributeChanges(read)).toEqual({ note: '', warnings: [] });
  });

  it('takes the URL\'s input, source, target, mask and compare keys as the page reads them', () => {
    const read = readAttributes(table, reader({ input: 'cross', source: 'le chat', target: 'the cat', mask: '', compare: 'dot' }));
    expect(read.state).toMatchObject({ input: 'cross', source: 'le chat', target: 'the cat', mask: true, compare: 'dot' });
    expect(describeAttributeChanges(read)).toEqual({ note: '', warnings: [] });
    for (const name of ['input', 'source', 'target', 'mask', 'compare']) expect(table.map((prop) => prop.name)).toContain(name);
  });

  it('refuses the page-only input modes with a warning naming the one it uses', () => {
    const { warnings } = describeAttributeChanges(readAttributes(table, reader({ input: 'matrix', compare: 'bogus' })));
    expect(warnings).toEqual([
      { name: 'input', text: '<attention-playground>: attribute input="matrix" is not a value it takes; using text' },
      { name: 'compare', text: '<attention-playground>: attribute compare="bogus" is not a value it takes; using none' },
    ]);
  });

  it('gives the same state as stateFromAttributes', () => {
    const read = reader({ heads: '99', seed: 'x', text: 'a b' });
    expect(readAttributes(table, read).state).toEqual(stateFromAttributes(table, read));
  });
});
