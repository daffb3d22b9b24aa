// A Merkle-Patricia proof verifier (Ethereum Yellow Paper, appendix D),
// written for the tests so eth_getProof answers are checked independently of
// the node's own trie code.
import { ethers } from 'ethers';

function nibbles(bytes) {
  const out = [];
  for (const b of bytes) out.push(b >> 4, b & 15);
  return out;
}

/** Hex-prefix decoding: [isLeaf, nibbles]. */
function hexPrefix(encoded) {
  const n = nibbles(ethers.getBytes(encoded));
  const flag = n[0];
  return [flag >= 2, flag % 2 === 1 ? n.slice(1) : n.slice(2)];
}

/**
 * Follows `proof` (an array of RLP node hex strings) from `root` along
 * keccak(key). Returns the leaf's value (hex) or null when the proof shows the
 * key absent; throws when the proof does not hash-link to the root.
 */
export function verifyProof(root, key, proof) {
  const path = nibbles(ethers.getBytes(ethers.keccak256(key)));
  let expected = root.toLowerCase();
  let i = 0;
  for (const [index, nodeHex] of proof.entries()) {
    if (ethers.keccak256(nodeHex) !== expected) throw new Error(`proof node ${index} does not match its parent's hash`);
    let node = ethers.decodeRlp(nodeHex);
    // Nodes shorter than 32 bytes are embedded in their parent, not hashed.
    for (;;) {
      let next;
      if (node.length === 17) {
        if (i === path.length) return node[16] === '0x' ? null : node[16];
        next = node[path[i]];
        i += 1;
      } else if (node.length === 2) {
        const [leaf, rest] = hexPrefix(node[0]);
        const matches = rest.every((x, k) => path[i + k] === x);
        if (leaf) return matches && i + rest.length === path.length ? node[1] : null;
        if (!matches) return null;
        i += rest.length;
        next = node[1];
      } else {
        throw new Error(`proof node ${index} has ${node.length} items`);
      }
      if (Array.isArray(next)) { node = next; continue; }
      if (next === '0x') return null;
      if (ethers.dataLength(next) !== 32) throw new Error('bad child reference');
      expected = next.toLowerCase();
      break;
    }
  }
  throw new Error('proof ended before reaching a leaf');
}
