//! The `serde` feature: containers survive a round trip through a serialized form.
#![cfg(feature = "serde")]

use gantry_entity::{
    EntityList, EntityRef, EntitySet, ListPool, PackedOption, PrimaryMap, SecondaryMap, entity_impl,
};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Block(u32);
entity_impl!(Block, "block");

fn round_trip<T: Serialize + for<'de> Deserialize<'de>>(value: &T) -> T {
    let text = serde_json::to_string(value).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn containers_round_trip() {
    let mut primary: PrimaryMap<Block, String> = PrimaryMap::new();
    primary.push("entry".into());
    primary.push("exit".into());
    assert_eq!(round_trip(&primary), primary);

    let mut secondary: SecondaryMap<Block, u8> = SecondaryMap::with_default(9);
    secondary[Block::new(3)] = 1;
    let back = round_trip(&secondary);
    assert_eq!(back, secondary);
    assert_eq!(back[Block::new(100)], 9);

    let set: EntitySet<Block> = [Block::new(2), Block::new(130)].into_iter().collect();
    assert_eq!(round_trip(&set), set);

    let some: PackedOption<Block> = Block::new(4).into();
    let none: PackedOption<Block> = None.into();
    assert_eq!(round_trip(&some).expand(), Some(Block::new(4)));
    assert!(round_trip(&none).is_none());

    let mut pool = ListPool::new();
    let list = EntityList::from_slice(&[Block::new(1), Block::new(5)], &mut pool);
    // A list is a handle into its pool; both round-trip.
    let pool_back = round_trip(&pool);
    assert_eq!(
        round_trip(&list).as_slice(&pool_back),
        &[Block::new(1), Block::new(5)]
    );
}
