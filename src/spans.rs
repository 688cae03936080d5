//! A set of byte ranges to ask "which of these meet this range?" in logarithmic time,
//! for the questions rules and the fixer ask once per finding.

use std::ops::Range;

/// Ranges sorted by start, with the furthest end reached so far at each, so a search
/// walks back from the query only while some earlier range can still reach it.
#[derive(Debug, Default)]
pub struct Spans<T> {
    items: Vec<(Range<usize>, T)>,
    furthest: Vec<usize>,
}

impl<T> Spans<T> {
    pub fn new(items: impl IntoIterator<Item = (Range<usize>, T)>) -> Self {
        let mut items: Vec<(Range<usize>, T)> = items.into_iter().collect();
        items.sort_by_key(|(range, _)| range.start);
        let mut end = 0;
        let furthest = items
            .iter()
            .map(|(range, _)| {
                end = end.max(range.end);
                end
            })
            .collect();
        Spans { items, furthest }
    }

    /// The ranges that hold `range` whole.
    pub fn containing(&self, range: &Range<usize>) -> impl Iterator<Item = &(Range<usize>, T)> {
        let range = range.clone();
        self.reaching(range.start + 1, range.end)
            .filter(move |(r, _)| r.start <= range.start && range.end <= r.end)
    }

    /// The ranges that meet `range`, an empty range (query or item) counting as the
    /// character at its offset.
    pub fn meeting(&self, range: &Range<usize>) -> impl Iterator<Item = &(Range<usize>, T)> {
        let (start, end) = (range.start, range.end.max(range.start + 1));
        self.reaching(end, start + 1)
            .filter(move |(r, _)| r.end.max(r.start + 1) > start)
    }

    /// The items starting before `before` whose range may end at or after `end_at_least`
    /// (a superset: callers filter exactly), nearest first.
    fn reaching(&self, before: usize, end_at_least: usize) -> impl Iterator<Item = &(Range<usize>, T)> {
        let count = self.items.partition_point(|(range, _)| range.start < before);
        // An empty item reaches one past its end.
        (0..count)
            .rev()
            .take_while(move |&i| self.furthest[i] + 1 >= end_at_least)
            .map(move |i| &self.items[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_holders_and_overlaps_across_nesting() {
        let spans = Spans::new([(0..100, 'a'), (10..20, 'b'), (30..30, 'c'), (40..50, 'd')]);
        let holders: Vec<char> = spans.containing(&(12..15)).map(|(_, t)| *t).collect();
        assert_eq!(holders, ['b', 'a']);
        let met: Vec<char> = spans.meeting(&(30..30)).map(|(_, t)| *t).collect();
        assert_eq!(met, ['c', 'a']);
        let met: Vec<char> = spans.meeting(&(45..200)).map(|(_, t)| *t).collect();
        assert_eq!(met, ['d', 'a']);
        assert_eq!(spans.meeting(&(100..120)).count(), 0);
        assert_eq!(spans.containing(&(25..35)).map(|(_, t)| *t).collect::<Vec<_>>(), ['a']);
    }
}
