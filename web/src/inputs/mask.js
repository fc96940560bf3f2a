// Attention masks as data. No DOM here.
//
// Convention (PyTorch SDPA's boolean mask): mask [NQ, NK], row-major
// Uint8Array, 1 = query i may attend key j, 0 = it may not. keyPadding [NK]:
// 1 = key j is padding and is never attended (nn.MultiheadAttention's
// key_padding_mask, True = ignore). Legend: NQ queries, NK keys.

/** [NQ, NK] all 1 (everything allowed) or all value. */
export function fullMask(queries, keys, value = 1) {
  return new Uint8Array(queries * keys).fill(value ? 1 : 0);
}

/** Causal, top-left aligned like torch.tril(diagonal=0): j <= i. */
export function causalMask(queries, keys) {
  return maskWhere(queries, keys, (i, j) => j <= i);
}

/** A band of half-width w: |i − j| <= w. */
export function windowMask(queries, keys, w) {
  return maskWhere(queries, keys, (i, j) => Math.abs(i - j) <= w);
}

/** Every query may attend every key that is not padding. */
export function paddingMask(queries, keys, keyPadding) {
  return maskWhere(queries, keys, (i, j) => !keyPadding[j]);
}

export function maskWhere(queries, keys, allowed) {
  const mask = new Uint8Array(queries * keys);
  for (let i = 0; i < queries; i++) {
    for (let j = 0; j < keys; j++) mask[i * keys + j] = allowed(i, j) ? 1 : 0;
  }
  return mask;
}

/**
 * Which keys each query may attend when all the conditions hold together, as
 * the engine applies them: causal, window (null = unlimited), mask (1 = may
 * attend) and keyPadding (1 = never attend). Returns [NQ, NK] of 0/1.
 */
export function allowedMask(queries, keys, { causal = false, window = null, mask = null, keyPadding = null } = {}) {
  return maskWhere(
    queries,
    keys,
    (i, j) =>
      (!causal || j <= i) &&
      (window == null || Math.abs(i - j) <= window) &&
      (!mask || mask[i * keys + j] !== 0) &&
      (!keyPadding || keyPadding[j] === 0),
  );
}

/** A copy of mask with cell (i, j) flipped. */
export function toggleCell(mask, keys, i, j) {
  const next = mask.slice();
  next[i * keys + j] = next[i * keys + j] ? 0 : 1;
  return next;
}

/** A copy of keyPadding with key j flipped. */
export function togglePadding(keyPadding, j) {
  const next = keyPadding.slice();
  next[j] = next[j] ? 0 : 1;
  return next;
}

/** 1 where mask is 0 and the reverse. */
export function invertMask(mask) {
  return mask.map((x) => (x ? 0 : 1));
}

/** mask cut or padded to [queries, keys]; new cells get fill (1 = allowed). */
export function resizeMask(mask, fromQueries, fromKeys, queries, keys, fill = 1) {
  const next = new Uint8Array(queries * keys).fill(fill);
  for (let i = 0; i < Math.min(queries, fromQueries); i++) {
    for (let j = 0; j < Math.min(keys, fromKeys); j++) next[i * keys + j] = mask[i * fromKeys + j];
  }
  return next;
}

/** True when every cell is allowed (the mask can be left out of a request). */
export function allAllowed(mask) {
  return mask.every((x) => x !== 0);
}

/** The queries (0-based) with no allowed key: their weights are all zero. */
export function fullyMaskedRows(allowed, queries, keys) {
  const rows = [];
  for (let i = 0; i < queries; i++) {
    if (allowed.subarray(i * keys, (i + 1) * keys).every((x) => x === 0)) rows.push(i);
  }
  return rows;
}
