//! The B+-tree algorithms shared by maps and sets: lookup, insertion with node splits,
//! removal with merging and redistribution, bulk building and an invariant checker.
//!
//! A tree is a root (`PackedOption<Node>`, empty when `None`) plus the pool its nodes live
//! in. All leaves are at the same depth; the root may be a leaf.

use crate::Comparator;
use crate::node::{INNER_CAP, INNER_MIN, LEAF_CAP, LEAF_MIN, Node, NodeData, NodePool};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use gantry_entity::PackedOption;

/// The subtree of an inner node to descend into, given the search result among its keys.
#[inline]
pub(crate) fn child_index(search: Result<usize, usize>) -> usize {
    match search {
        Ok(i) => i + 1,
        Err(i) => i,
    }
}

/// The value stored under `key`.
pub(crate) fn get<K: Copy, V: Copy, C: Comparator<K>>(
    root: PackedOption<Node>,
    pool: &NodePool<K, V>,
    key: K,
    comp: &C,
) -> Option<V> {
    let mut node = root.expand()?;
    loop {
        match &pool[node] {
            NodeData::Inner { size, keys, tree } => {
                node = tree[child_index(comp.search(key, &keys[..*size as usize]))];
            }
            NodeData::Leaf { size, keys, vals } => {
                return comp
                    .search(key, &keys[..*size as usize])
                    .ok()
                    .map(|i| vals[i]);
            }
            NodeData::Free { .. } => unreachable!("{node} is free but reachable"),
        }
    }
}

/// The entry with the largest key not greater than `key`.
pub(crate) fn get_or_less<K: Copy, V: Copy, C: Comparator<K>>(
    root: PackedOption<Node>,
    pool: &NodePool<K, V>,
    key: K,
    comp: &C,
) -> Option<(K, V)> {
    let mut node = root.expand()?;
    // The subtree left of the last descent, whose maximum is the answer if the
    // subtree descended into holds nothing small enough.
    let mut left_of_path = None;
    loop {
        match &pool[node] {
            NodeData::Inner { size, keys, tree } => {
                let c = child_index(comp.search(key, &keys[..*size as usize]));
                if c > 0 {
                    left_of_path = Some(tree[c - 1]);
                }
                node = tree[c];
            }
            NodeData::Leaf { size, keys, vals } => {
                return match comp.search(key, &keys[..*size as usize]) {
                    Ok(i) => Some((keys[i], vals[i])),
                    Err(0) => left_of_path.map(|n| last_entry(pool, n)),
                    Err(i) => Some((keys[i - 1], vals[i - 1])),
                };
            }
            NodeData::Free { .. } => unreachable!("{node} is free but reachable"),
        }
    }
}

/// The entry with the largest key in the subtree at `node`.
fn last_entry<K: Copy, V: Copy>(pool: &NodePool<K, V>, mut node: Node) -> (K, V) {
    loop {
        match &pool[node] {
            NodeData::Inner { size, tree, .. } => node = tree[*size as usize],
            NodeData::Leaf { size, keys, vals } => {
                let i = *size as usize - 1;
                return (keys[i], vals[i]);
            }
            NodeData::Free { .. } => unreachable!("{node} is free but reachable"),
        }
    }
}

/// What an insertion into a subtree did.
enum Inserted<K, V> {
    /// The key was present; its old value.
    Replaced(V),
    /// A new entry was added and the subtree's root did not split.
    Added,
    /// A new entry was added and the subtree's root split: the new right sibling and the
    /// separator (its smallest key) to add to the parent.
    Split(K, Node),
}

/// Inserts `key -> val`, returning the value it replaces, if any.
pub(crate) fn insert<K: Copy, V: Copy, C: Comparator<K>>(
    root: &mut PackedOption<Node>,
    pool: &mut NodePool<K, V>,
    key: K,
    val: V,
    comp: &C,
) -> Option<V> {
    let Some(r) = root.expand() else {
        *root = pool.alloc(NodeData::leaf(&[key], &[val])).into();
        return None;
    };
    match insert_rec(pool, r, key, val, comp) {
        Inserted::Replaced(old) => Some(old),
        Inserted::Added => None,
        Inserted::Split(sep, right) => {
            *root = pool.alloc(NodeData::inner(&[sep], &[r, right])).into();
            None
        }
    }
}

fn insert_rec<K: Copy, V: Copy, C: Comparator<K>>(
    pool: &mut NodePool<K, V>,
    node: Node,
    key: K,
    val: V,
    comp: &C,
) -> Inserted<K, V> {
    let (c, child) = match &mut pool[node] {
        NodeData::Leaf { size, keys, vals } => {
            let n = *size as usize;
            let i = match comp.search(key, &keys[..n]) {
                Ok(i) => return Inserted::Replaced(core::mem::replace(&mut vals[i], val)),
                Err(i) => i,
            };
            if n < LEAF_CAP {
                keys.copy_within(i..n, i + 1);
                vals.copy_within(i..n, i + 1);
                keys[i] = key;
                vals[i] = val;
                *size += 1;
                return Inserted::Added;
            }
            // Split the full leaf: the LEAF_CAP + 1 entries are shared out evenly.
            let mut tk = [key; LEAF_CAP + 1];
            let mut tv = [val; LEAF_CAP + 1];
            tk[..i].copy_from_slice(&keys[..i]);
            tv[..i].copy_from_slice(&vals[..i]);
            tk[i + 1..].copy_from_slice(&keys[i..n]);
            tv[i + 1..].copy_from_slice(&vals[i..n]);
            let mid = LEAF_CAP.div_ceil(2);
            keys[..mid].copy_from_slice(&tk[..mid]);
            vals[..mid].copy_from_slice(&tv[..mid]);
            *size = mid as u8;
            let right = pool.alloc(NodeData::leaf(&tk[mid..], &tv[mid..]));
            return Inserted::Split(tk[mid], right);
        }
        NodeData::Inner { size, keys, tree } => {
            let c = child_index(comp.search(key, &keys[..*size as usize]));
            (c, tree[c])
        }
        NodeData::Free { .. } => unreachable!("{node} is free but reachable"),
    };
    match insert_rec(pool, child, key, val, comp) {
        Inserted::Split(sep, right) => match inner_insert(pool, node, c, sep, right) {
            Some((up, new)) => Inserted::Split(up, new),
            None => Inserted::Added,
        },
        other => other,
    }
}

/// Adds separator `sep` and subtree `right` after subtree `c` of inner `node`. If `node`
/// is full it splits; returns the new right sibling and the separator above it.
fn inner_insert<K: Copy, V: Copy>(
    pool: &mut NodePool<K, V>,
    node: Node,
    c: usize,
    sep: K,
    right: Node,
) -> Option<(K, Node)> {
    let NodeData::Inner { size, keys, tree } = &mut pool[node] else {
        unreachable!("{node} is not an inner node");
    };
    let n = *size as usize;
    if n < INNER_CAP - 1 {
        keys.copy_within(c..n, c + 1);
        keys[c] = sep;
        tree.copy_within(c + 1..n + 1, c + 2);
        tree[c + 1] = right;
        *size += 1;
        return None;
    }
    // Full: INNER_CAP keys and INNER_CAP + 1 subtrees are split around the middle key,
    // which moves up to the parent.
    let mut tk = [sep; INNER_CAP];
    let mut tt = [right; INNER_CAP + 1];
    tk[..c].copy_from_slice(&keys[..c]);
    tk[c + 1..].copy_from_slice(&keys[c..n]);
    tt[..=c].copy_from_slice(&tree[..=c]);
    tt[c + 2..].copy_from_slice(&tree[c + 1..=n]);
    let m = INNER_CAP / 2;
    keys[..m].copy_from_slice(&tk[..m]);
    tree[..=m].copy_from_slice(&tt[..=m]);
    *size = m as u8;
    let new = pool.alloc(NodeData::inner(&tk[m + 1..], &tt[m + 1..]));
    Some((tk[m], new))
}

/// Removes `key`, returning its value, if present.
pub(crate) fn remove<K: Copy, V: Copy, C: Comparator<K>>(
    root: &mut PackedOption<Node>,
    pool: &mut NodePool<K, V>,
    key: K,
    comp: &C,
) -> Option<V> {
    let r = root.expand()?;
    let val = remove_rec(pool, r, key, comp)?;
    // The root is exempt from minimum sizes but must not be an empty leaf or an inner
    // node with a single subtree.
    match pool[r] {
        NodeData::Inner { size: 0, tree, .. } => {
            *root = tree[0].into();
            pool.free(r);
        }
        NodeData::Leaf { size: 0, .. } => {
            *root = None.into();
            pool.free(r);
        }
        _ => {}
    }
    Some(val)
}

fn remove_rec<K: Copy, V: Copy, C: Comparator<K>>(
    pool: &mut NodePool<K, V>,
    node: Node,
    key: K,
    comp: &C,
) -> Option<V> {
    let (c, child) = match &mut pool[node] {
        NodeData::Leaf { size, keys, vals } => {
            let n = *size as usize;
            let i = comp.search(key, &keys[..n]).ok()?;
            let val = vals[i];
            keys.copy_within(i + 1..n, i);
            vals.copy_within(i + 1..n, i);
            *size -= 1;
            return Some(val);
        }
        NodeData::Inner { size, keys, tree } => {
            let c = child_index(comp.search(key, &keys[..*size as usize]));
            (c, tree[c])
        }
        NodeData::Free { .. } => unreachable!("{node} is free but reachable"),
    };
    let val = remove_rec(pool, child, key, comp)?;
    if underflows(pool, child) {
        rebalance(pool, node, c);
    }
    Some(val)
}

fn underflows<K: Copy, V: Copy>(pool: &NodePool<K, V>, node: Node) -> bool {
    match pool[node] {
        NodeData::Inner { size, .. } => (size as usize + 1) < INNER_MIN,
        NodeData::Leaf { size, .. } => (size as usize) < LEAF_MIN,
        NodeData::Free { .. } => unreachable!("{node} is free but reachable"),
    }
}

/// Restores the minimum size of subtree `c` of inner node `parent` by merging it with a
/// sibling or, if both together are too big for one node, sharing their entries evenly.
fn rebalance<K: Copy, V: Copy>(pool: &mut NodePool<K, V>, parent: Node, c: usize) {
    let NodeData::Inner { keys, tree, .. } = pool[parent] else {
        unreachable!("{parent} is not an inner node");
    };
    // An inner node has at least two subtrees, so a sibling exists on one side.
    let li = if c > 0 { c - 1 } else { c };
    let (left, right, sep) = (tree[li], tree[li + 1], keys[li]);
    let new_sep = match (pool[left], pool[right]) {
        (
            NodeData::Leaf {
                size: ln,
                keys: lk,
                vals: lv,
            },
            NodeData::Leaf {
                size: rn,
                keys: rk,
                vals: rv,
            },
        ) => {
            let (ln, rn) = (ln as usize, rn as usize);
            let total = ln + rn;
            let mut tk = [sep; 2 * LEAF_CAP];
            let mut tv = [lv[0]; 2 * LEAF_CAP];
            tk[..ln].copy_from_slice(&lk[..ln]);
            tk[ln..total].copy_from_slice(&rk[..rn]);
            tv[..ln].copy_from_slice(&lv[..ln]);
            tv[ln..total].copy_from_slice(&rv[..rn]);
            if total <= LEAF_CAP {
                pool[left] = NodeData::leaf(&tk[..total], &tv[..total]);
                None
            } else {
                let nl = total / 2;
                pool[left] = NodeData::leaf(&tk[..nl], &tv[..nl]);
                pool[right] = NodeData::leaf(&tk[nl..total], &tv[nl..total]);
                Some(tk[nl])
            }
        }
        (
            NodeData::Inner {
                size: ln,
                keys: lk,
                tree: lt,
            },
            NodeData::Inner {
                size: rn,
                keys: rk,
                tree: rt,
            },
        ) => {
            let (ln, rn) = (ln as usize, rn as usize);
            // The parent's separator comes down between the two nodes' keys.
            let nkeys = ln + 1 + rn;
            let ntrees = nkeys + 1;
            let mut tk = [sep; 2 * INNER_CAP];
            let mut tt = [lt[0]; 2 * INNER_CAP];
            tk[..ln].copy_from_slice(&lk[..ln]);
            tk[ln + 1..nkeys].copy_from_slice(&rk[..rn]);
            tt[..=ln].copy_from_slice(&lt[..=ln]);
            tt[ln + 1..ntrees].copy_from_slice(&rt[..=rn]);
            if ntrees <= INNER_CAP {
                pool[left] = NodeData::inner(&tk[..nkeys], &tt[..ntrees]);
                None
            } else {
                let lt_count = ntrees / 2;
                pool[left] = NodeData::inner(&tk[..lt_count - 1], &tt[..lt_count]);
                pool[right] = NodeData::inner(&tk[lt_count..nkeys], &tt[lt_count..ntrees]);
                Some(tk[lt_count - 1])
            }
        }
        _ => unreachable!("siblings {left} and {right} differ in kind"),
    };
    let NodeData::Inner { size, keys, tree } = &mut pool[parent] else {
        unreachable!();
    };
    match new_sep {
        Some(k) => keys[li] = k,
        None => {
            // `right` was merged into `left`: drop it and its separator.
            let n = *size as usize;
            keys.copy_within(li + 1..n, li);
            tree.copy_within(li + 2..=n, li + 1);
            *size -= 1;
            pool.free(right);
        }
    }
}

/// Builds a tree from entries sorted by strictly increasing key; returns its root.
pub(crate) fn build_sorted<K: Copy, V: Copy>(
    pool: &mut NodePool<K, V>,
    entries: &[(K, V)],
) -> PackedOption<Node> {
    if entries.is_empty() {
        return None.into();
    }
    // Each level is a list of (smallest key, node).
    let mut level: Vec<(K, Node)> = Vec::new();
    for chunk in even_chunks(entries.len(), LEAF_CAP) {
        let part = &entries[chunk];
        let keys: Vec<K> = part.iter().map(|e| e.0).collect();
        let vals: Vec<V> = part.iter().map(|e| e.1).collect();
        level.push((keys[0], pool.alloc(NodeData::leaf(&keys, &vals))));
    }
    while level.len() > 1 {
        let mut up = Vec::new();
        for chunk in even_chunks(level.len(), INNER_CAP) {
            let part = &level[chunk];
            let keys: Vec<K> = part[1..].iter().map(|e| e.0).collect();
            let tree: Vec<Node> = part.iter().map(|e| e.1).collect();
            up.push((part[0].0, pool.alloc(NodeData::inner(&keys, &tree))));
        }
        level = up;
    }
    level[0].1.into()
}

/// Splits `0..n` into the fewest ranges of at most `cap` items, as even as possible, so
/// every range has at least `cap / 2` items when there is more than one.
fn even_chunks(n: usize, cap: usize) -> impl Iterator<Item = core::ops::Range<usize>> {
    let count = n.div_ceil(cap);
    let (base, extra) = (n / count, n % count);
    (0..count).map(move |i| {
        let start = i * base + i.min(extra);
        start..start + base + usize::from(i < extra)
    })
}

/// Appends every entry of the tree, in order, to `out`.
pub(crate) fn collect<K: Copy, V: Copy>(
    pool: &NodePool<K, V>,
    root: PackedOption<Node>,
    out: &mut Vec<(K, V)>,
) {
    fn walk<K: Copy, V: Copy>(pool: &NodePool<K, V>, node: Node, out: &mut Vec<(K, V)>) {
        match &pool[node] {
            NodeData::Inner { size, tree, .. } => {
                for &t in &tree[..=*size as usize] {
                    walk(pool, t, out);
                }
            }
            NodeData::Leaf { size, keys, vals } => {
                let n = *size as usize;
                out.extend(keys[..n].iter().copied().zip(vals[..n].iter().copied()));
            }
            NodeData::Free { .. } => unreachable!("{node} is free but reachable"),
        }
    }
    if let Some(r) = root.expand() {
        walk(pool, r, out);
    }
}

/// Checks every structural invariant of the tree; the error names the broken one.
pub(crate) fn verify<K: Copy + core::fmt::Debug, V: Copy, C: Comparator<K>>(
    root: PackedOption<Node>,
    pool: &NodePool<K, V>,
    comp: &C,
) -> Result<(), String> {
    let Some(r) = root.expand() else {
        return Ok(());
    };
    let mut leaf_depth = None;
    verify_rec(pool, comp, r, true, None, None, 0, &mut leaf_depth)
}

#[allow(clippy::too_many_arguments)]
fn verify_rec<K: Copy + core::fmt::Debug, V: Copy, C: Comparator<K>>(
    pool: &NodePool<K, V>,
    comp: &C,
    node: Node,
    is_root: bool,
    lower: Option<K>,
    upper: Option<K>,
    depth: usize,
    leaf_depth: &mut Option<usize>,
) -> Result<(), String> {
    use core::cmp::Ordering::Less;
    let in_bounds = |k: K| {
        lower.is_none_or(|lo| comp.cmp(k, lo) != Less)
            && upper.is_none_or(|hi| comp.cmp(k, hi) == Less)
    };
    let check_keys = |keys: &[K]| -> Result<(), String> {
        if let Some(w) = keys.windows(2).find(|w| comp.cmp(w[0], w[1]) != Less) {
            return Err(format!(
                "{node}: keys {:?} and {:?} out of order",
                w[0], w[1]
            ));
        }
        if let Some(k) = keys.iter().find(|&&k| !in_bounds(k)) {
            return Err(format!(
                "{node}: key {k:?} outside the separators {lower:?}..{upper:?}"
            ));
        }
        Ok(())
    };
    match &pool[node] {
        NodeData::Free { .. } => Err(format!("{node} is free but reachable")),
        NodeData::Leaf { size, keys, .. } => {
            let n = *size as usize;
            if n == 0 || (!is_root && n < LEAF_MIN) {
                return Err(format!("{node}: leaf with {n} entries"));
            }
            check_keys(&keys[..n])?;
            match *leaf_depth {
                Some(d) if d != depth => {
                    Err(format!("{node}: leaf at depth {depth}, another at {d}"))
                }
                _ => {
                    *leaf_depth = Some(depth);
                    Ok(())
                }
            }
        }
        NodeData::Inner { size, keys, tree } => {
            let n = *size as usize;
            let subtrees = n + 1;
            if subtrees < 2 || (!is_root && subtrees < INNER_MIN) {
                return Err(format!("{node}: inner node with {subtrees} subtrees"));
            }
            check_keys(&keys[..n])?;
            for (i, &t) in tree[..subtrees].iter().enumerate() {
                let lo = if i == 0 { lower } else { Some(keys[i - 1]) };
                let hi = if i == n { upper } else { Some(keys[i]) };
                verify_rec(pool, comp, t, false, lo, hi, depth + 1, leaf_depth)?;
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn even_chunks_respect_bounds() {
        for cap in [LEAF_CAP, INNER_CAP] {
            for n in 1..500 {
                let chunks: Vec<_> = even_chunks(n, cap).collect();
                assert_eq!(chunks.first().unwrap().start, 0);
                assert_eq!(chunks.last().unwrap().end, n);
                assert!(chunks.windows(2).all(|w| w[0].end == w[1].start));
                for c in &chunks {
                    assert!(c.len() <= cap);
                    assert!(chunks.len() == 1 || c.len() >= cap / 2, "n={n} cap={cap}");
                }
            }
        }
    }
}
