// The heatmap moved to views/heatmap.js with the other views; this path stays
// for modules that import it from here (the custom element does).
export { createHeatmap } from './views/heatmap.js';
