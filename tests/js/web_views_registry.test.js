// The one view registry (web/src/views/registry.js) of the page, embed.html
// and the element: it lists exactly the state table's views, in tab order,
// each with the kind of DOM parts it draws into, a maker and a drawer.
import { describe, expect, it } from 'vitest';
import { VIEWS } from '../../web/src/state/table.js';
import { VIEW_REGISTRY } from '../../web/src/views/registry.js';

describe('the view registry', () => {
  it('has one entry for every view the state can name, in tab order', () => {
    expect(Object.keys(VIEW_REGISTRY)).toEqual(VIEWS);
  });

  it('gives every view its kind of DOM parts, a maker and a drawer', () => {
    for (const [name, entry] of Object.entries(VIEW_REGISTRY)) {
      expect(['heatmap', 'lines', 'root'], name).toContain(entry.parts);
      expect(typeof entry.make, name).toBe('function');
      expect(typeof entry.draw, name).toBe('function');
    }
  });
});
