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
 * An SVG document (text) drawn at scale device pixels per SVG pixel, as a
 * PNG Blob. A data: URL, not a blob: one, so a page whose policy allows
 * images from data: (examples/csp.html) can do it; an SVG image without
 * foreign content does not taint the canvas.
 */
export async function svgToPngBlob(svg, { scale = 2, doc = globalThis.document } = {}) {
  const image = new Image();
  image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
  try {
    await image.decode();
  } catch {
    throw new Error('The picture could not be drawn for PNG');
  }
  const canvas = doc.createElement('canvas');
  canvas.width = Math.round(image.naturalWidth * scale);
  canvas.height = Math.round(image.naturalHeight * scale);
  const ctx = canvas.getContext('2d');
  ctx.scale(scale, scale);
  ctx.drawImage(image, 0, 0, image.naturalWidth, image.naturalHeight);
  return canvasToPngBlob(canvas);
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

/** Saves text as filename with the given MIME type, UTF-8 (no byte order mark). */
export function downloadText(text, filename, type = 'text/plain', { doc } = {}) {
  const blob = new Blob([text], { type: `${type};charset=utf-8` });
  downloadBlob(blob, filename, doc);
}
