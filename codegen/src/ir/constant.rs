//! The constant pool: vector and `f128` constants too large for an immediate field.

use super::entities::Constant;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use core::fmt;

/// The bytes of a constant, in memory order (lane 0 / least significant byte first).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ConstantData(Vec<u8>);

impl ConstantData {
    /// A constant with these bytes, in memory order.
    pub fn new(bytes: Vec<u8>) -> ConstantData {
        ConstantData(bytes)
    }

    /// The bytes, in memory order.
    pub fn as_slice(&self) -> &[u8] {
        &self.0
    }

    /// The size in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the constant has no bytes.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for ConstantData {
    /// As one hex number, most significant byte first (`0x0000000100000002...`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("0x")?;
        for b in self.0.iter().rev() {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

/// The function's constants, each stored once: inserting equal data twice returns the
/// same handle.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ConstantPool {
    by_handle: BTreeMap<Constant, ConstantData>,
    by_data: BTreeMap<ConstantData, Constant>,
}

impl ConstantPool {
    /// An empty pool.
    pub fn new() -> ConstantPool {
        ConstantPool::default()
    }

    /// The handle of `data`, adding it if new.
    pub fn insert(&mut self, data: ConstantData) -> Constant {
        if let Some(&c) = self.by_data.get(&data) {
            return c;
        }
        let next = self
            .by_handle
            .keys()
            .next_back()
            .map_or(0, |c| c.as_u32() + 1);
        let c = Constant::from_u32(next);
        self.set(c, data);
        c
    }

    /// Stores `data` under the handle `c` (the reader does this to keep a file's
    /// numbering). Replaces what `c` held.
    pub fn set(&mut self, c: Constant, data: ConstantData) {
        if let Some(old) = self.by_handle.insert(c, data.clone()) {
            self.by_data.remove(&old);
        }
        self.by_data.entry(data).or_insert(c);
    }

    /// The data of `c`.
    pub fn get(&self, c: Constant) -> Option<&ConstantData> {
        self.by_handle.get(&c)
    }

    /// Every constant, in handle order.
    pub fn iter(&self) -> impl Iterator<Item = (Constant, &ConstantData)> {
        self.by_handle.iter().map(|(k, v)| (*k, v))
    }

    /// The number of constants.
    pub fn len(&self) -> usize {
        self.by_handle.len()
    }

    /// Whether the pool is empty.
    pub fn is_empty(&self) -> bool {
        self.by_handle.is_empty()
    }
}
