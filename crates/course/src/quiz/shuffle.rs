//! The order of an attempt's questions and choices: drawn from the
//! attempt's random seed, so it is the same every time the attempt is
//! read, differs between attempts, and needs nothing stored per question.
//! A question added while an attempt is open takes its place in that order
//! without moving the others.

/// splitmix64's finalizer over the two numbers: a well-spread key.
fn mix(a: u64, b: u64) -> u64 {
    let mut z = (a << 32 ^ b).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn bits(value: i32) -> u64 {
    u64::from(value as u32)
}

/// Sorts `items` into the seed's order of their ids.
pub fn shuffle_by_id<T>(items: &mut [T], seed: i32, id_of: impl Fn(&T) -> i32) {
    items.sort_by_key(|item| (mix(bits(seed), bits(id_of(item))), id_of(item)));
}

/// The seed for the choices of one question within an attempt.
pub fn choice_seed(seed: i32, question_id: i32) -> i32 {
    mix(bits(seed), bits(question_id)) as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_order_and_others_differ() {
        let ids: Vec<i32> = (1..=20).collect();
        let order = |seed| {
            let mut v = ids.clone();
            shuffle_by_id(&mut v, seed, |x| *x);
            v
        };
        assert_eq!(order(42), order(42));
        assert_ne!(order(42), ids, "a shuffle that keeps the order of 20 items");
        let distinct: std::collections::BTreeSet<Vec<i32>> = (0..10).map(order).collect();
        assert!(distinct.len() >= 9, "seeds should give different orders");
    }

    #[test]
    fn an_added_item_does_not_move_the_others() {
        let mut before: Vec<i32> = (1..=10).collect();
        shuffle_by_id(&mut before, 7, |x| *x);
        let mut after: Vec<i32> = (1..=11).collect();
        shuffle_by_id(&mut after, 7, |x| *x);
        after.retain(|x| *x != 11);
        assert_eq!(before, after);
    }
}
