//! The inverted word index behind text queries.
//!
//! Every product's name, description and SKUs are folded (case and accents, see
//! [`super::fold`]) and split into words once, when the catalog is built. A query word
//! matches a product when it is a prefix of one of the product's words; a product matches a
//! query when every query word matches it. Relevance adds, per query word, the best of:
//! name word exact 8 / prefix 5, SKU word exact 6 / prefix 4, description word exact 2 /
//! prefix 1.

use super::fold::{fold, tokens};
use std::collections::HashMap;

/// The word came from the product name.
pub(crate) const FIELD_NAME: u8 = 1;
/// The word came from a SKU.
pub(crate) const FIELD_SKU: u8 = 2;
/// The word came from the description.
pub(crate) const FIELD_DESCRIPTION: u8 = 4;

#[derive(Debug, Clone, Copy)]
struct Posting {
    doc: u32,
    fields: u8,
}

/// Sorted vocabulary with one posting list per word.
#[derive(Debug, Clone, Default)]
pub(crate) struct TextIndex {
    words: Vec<Box<str>>,
    postings: Vec<Vec<Posting>>,
    docs: usize,
}

impl TextIndex {
    /// Builds the index from each document's (text, field) parts, documents numbered in order.
    pub(crate) fn build<'a, D, P>(docs: D) -> TextIndex
    where
        D: IntoIterator<Item = P>,
        P: IntoIterator<Item = (&'a str, u8)>,
    {
        let mut ids: HashMap<String, usize> = HashMap::new();
        let mut postings: Vec<Vec<Posting>> = Vec::new();
        let mut words: Vec<String> = Vec::new();
        let mut n = 0usize;
        let mut doc_words: HashMap<String, u8> = HashMap::new();
        for (doc, parts) in docs.into_iter().enumerate() {
            n = doc + 1;
            let Ok(doc) = u32::try_from(doc) else { break };
            doc_words.clear();
            for (text, field) in parts {
                let folded = fold(text);
                for t in tokens(&folded) {
                    *doc_words.entry(t.to_owned()).or_insert(0) |= field;
                }
            }
            let mut entries: Vec<(String, u8)> = doc_words.drain().collect();
            crate::sorting::sort_unstable(&mut entries);
            for (word, fields) in entries {
                let id = match ids.get(&word) {
                    Some(id) => *id,
                    None => {
                        let id = words.len();
                        ids.insert(word.clone(), id);
                        words.push(word);
                        postings.push(Vec::new());
                        id
                    }
                };
                if let Some(list) = postings.get_mut(id) {
                    list.push(Posting { doc, fields });
                }
            }
        }
        let mut order: Vec<usize> = (0..words.len()).collect();
        crate::sorting::sort_unstable_by(&mut order, |a, b| {
            words.get(*a).cmp(&words.get(*b)).then(a.cmp(b))
        });
        let mut sorted_words = Vec::with_capacity(words.len());
        let mut sorted_postings = Vec::with_capacity(words.len());
        let mut words: Vec<Option<String>> = words.into_iter().map(Some).collect();
        let mut postings: Vec<Option<Vec<Posting>>> = postings.into_iter().map(Some).collect();
        for i in order {
            if let (Some(w), Some(p)) = (
                words.get_mut(i).and_then(Option::take),
                postings.get_mut(i).and_then(Option::take),
            ) {
                sorted_words.push(w.into_boxed_str());
                sorted_postings.push(p);
            }
        }
        TextIndex {
            words: sorted_words,
            postings: sorted_postings,
            docs: n,
        }
    }

    /// Folds and splits a query into its words (duplicates removed, order kept).
    pub(crate) fn query_terms(text: &str) -> Vec<String> {
        let folded = fold(text);
        let mut out: Vec<String> = Vec::new();
        for t in tokens(&folded) {
            if !out.iter().any(|o| o == t) {
                out.push(t.to_owned());
            }
        }
        out
    }

    /// Documents matching every term, with their relevance, in document order.
    pub(crate) fn search(&self, terms: &[String]) -> Vec<(u32, u32)> {
        let mut candidates: Vec<(u32, u32)> = Vec::new();
        for (i, term) in terms.iter().enumerate() {
            let hits = self.term_hits(term);
            if i == 0 {
                candidates = hits.into_iter().map(|(d, s)| (d, u32::from(s))).collect();
            } else {
                candidates = intersect(&candidates, &hits);
            }
            if candidates.is_empty() {
                break;
            }
        }
        candidates
    }

    /// Documents matching one term with their best score, in document order.
    fn term_hits(&self, term: &str) -> Vec<(u32, u8)> {
        let lo = self.words.partition_point(|w| &**w < term);
        let range: Vec<(&Box<str>, &Vec<Posting>)> = self
            .words
            .iter()
            .zip(&self.postings)
            .skip(lo)
            .take_while(|(w, _)| w.starts_with(term))
            .collect();
        if let [(word, list)] = range.as_slice() {
            // One word: its posting list is already in document order.
            let exact = word.len() == term.len();
            return list
                .iter()
                .map(|p| (p.doc, score(p.fields, exact)))
                .collect();
        }
        let mut best = vec![0u8; self.docs];
        for (word, list) in range {
            let exact = word.len() == term.len();
            for p in list {
                let s = score(p.fields, exact);
                if let Some(b) = best.get_mut(p.doc as usize) {
                    if s > *b {
                        *b = s;
                    }
                }
            }
        }
        best.iter()
            .enumerate()
            .filter(|(_, s)| **s > 0)
            .filter_map(|(d, s)| Some((u32::try_from(d).ok()?, *s)))
            .collect()
    }
}

/// Documents in both sorted lists, scores added.
fn intersect(a: &[(u32, u32)], b: &[(u32, u8)]) -> Vec<(u32, u32)> {
    let mut out = Vec::with_capacity(a.len().min(b.len()));
    let mut j = 0usize;
    for (doc, score) in a {
        let rest = b.get(j..).unwrap_or_default();
        j += rest.partition_point(|(d, _)| d < doc);
        if let Some((d, s)) = b.get(j) {
            if d == doc {
                out.push((*doc, score + u32::from(*s)));
            }
        }
    }
    out
}

fn score(fields: u8, exact: bool) -> u8 {
    let pick = |field: u8, exact_score: u8, prefix_score: u8| {
        if fields & field == 0 {
            0
        } else if exact {
            exact_score
        } else {
            prefix_score
        }
    };
    pick(FIELD_NAME, 8, 5)
        .max(pick(FIELD_SKU, 6, 4))
        .max(pick(FIELD_DESCRIPTION, 2, 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_and_all_terms() {
        let idx = TextIndex::build(vec![
            vec![("Crème brûlée", FIELD_NAME), ("dessert", FIELD_DESCRIPTION)],
            vec![("Creamy soup", FIELD_NAME), ("CR-1", FIELD_SKU)],
            vec![("Brûleur", FIELD_NAME)],
        ]);
        let mut r = idx.search(&TextIndex::query_terms("CREME"));
        r.sort();
        assert_eq!(r, vec![(0, 8)]);
        let mut r = idx.search(&TextIndex::query_terms("cr"));
        r.sort();
        assert_eq!(r, vec![(0, 5), (1, 6)]);
        let mut r = idx.search(&TextIndex::query_terms("brul dessert"));
        r.sort();
        assert_eq!(r, vec![(0, 7)]);
        assert!(idx.search(&TextIndex::query_terms("zzz")).is_empty());
    }
}
