// Files from the page: a canvas as PNG, text (SVG, CSV, JSON) as a download.
// The SVG itself is built by svg.js (pure); this module only touches the DOM
// to hand a Blob to the browser: an object URL on an <a download> that is
// clicked and removed, never markup from strings.

/** The canvas's pixels as a PNG Blob. */
export function canvasToPngBlob(canvas) {
  return new Promise((resolve, reject) => {
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('The picture could not be encoded as PNG'))), 'image/png');
  });
}

/**
 * A file name from free text: letters, digits, dot, dash and underscore kept,
 * anything else becomes '-', at most 80 characters; fallback when nothing is left.
 */
export function safeFilename(text, fallback = 'attention') {
  const name = String(text ?? '')
    .normalize('NFKC')
    .replace(/[^\p{L}\p{N}._-]+/gu, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 80);
  return name || fallback;
}

/** Saves blob as filename through a temporary <a download>. */
export function downloadBlob(blob, filename, doc = globalThis.document) {
  const url = URL.createObjectURL(blob);
  const link = doc.createElement('a');
  link.href = url;
  link.download = filename;
  link.rel = 'noopener';
  link.hidden = true;
  doc.body.append(link);
  link.click();
  link.remove();
  // Revoke after the click has been handled; some browsers start the download asynchronously.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * Saves text as filename with the given MIME type. bom: prefix a UTF-8 byte
 * order mark (spreadsheets then read non-ASCII tokens in CSV correctly).
 */
export function downloadText(text, filename, type = 'text/plain', { bom = false, doc } = {}) {
  const blob = new Blob([bom ? '\uFEFF' : '', text], { type: `${type};charset=utf-8` });
  downloadBlob(blob, filename, doc);
}
