//! A thread's text handed to the writer in pieces of about the same size, whatever the
//! size of the events it was printed from.

/// A buffer of text to cut into pieces: UTF-8 text (cut at character boundaries) or
/// bytes.
pub(super) trait PieceText {
    fn as_bytes(&self) -> &[u8];
    fn capacity(&self) -> usize;
    /// The first place at or past `at` (at most the length) where the text may be cut.
    fn cut_at(&self, at: usize) -> usize;
    /// The text without its first `n` bytes (`n` a place it may be cut).
    fn drop_front(&mut self, n: usize);
    /// The text up to `cut`, as bytes; the text from there on takes its place, in
    /// `buffer` (empty).
    fn split_off_front(&mut self, cut: usize, buffer: Vec<u8>) -> Vec<u8>;
}

impl PieceText for String {
    fn as_bytes(&self) -> &[u8] {
        str::as_bytes(self)
    }

    fn capacity(&self) -> usize {
        String::capacity(self)
    }

    fn cut_at(&self, at: usize) -> usize {
        let mut cut = at.min(self.len());
        while !self.is_char_boundary(cut) {
            cut += 1;
        }
        cut
    }

    fn drop_front(&mut self, n: usize) {
        self.drain(..n);
    }

    fn split_off_front(&mut self, cut: usize, buffer: Vec<u8>) -> Vec<u8> {
        // (An empty buffer is empty text.)
        let mut rest = String::from_utf8(buffer).unwrap_or_default();
        rest.push_str(&self[cut..]);
        self.truncate(cut);
        std::mem::replace(self, rest).into_bytes()
    }
}

impl PieceText for Vec<u8> {
    fn as_bytes(&self) -> &[u8] {
        self
    }

    fn capacity(&self) -> usize {
        Vec::capacity(self)
    }

    fn cut_at(&self, at: usize) -> usize {
        at.min(self.len())
    }

    fn drop_front(&mut self, n: usize) {
        self.drain(..n);
    }

    fn split_off_front(&mut self, cut: usize, mut buffer: Vec<u8>) -> Vec<u8> {
        buffer.extend_from_slice(&self[cut..]);
        self.truncate(cut);
        std::mem::replace(self, buffer)
    }
}

/// Text printed and not handed over yet, and where in it the transactions printed
/// ended (kept only when the listing counts them, for `-first`).
pub(super) struct Waiting<'t, T> {
    pub(super) text: &'t mut T,
    pub(super) ends: &'t mut Vec<usize>,
}

/// A piece of text handed over, and where in it transactions ended.
pub(super) type Handed = (Vec<u8>, Vec<usize>);

/// Hands `waiting` text over to `send` in pieces of about `piece` bytes (at least 1)
/// while that much is waiting, and keeps the rest; `next_buffer` gives empty buffers.
/// Usually the text's own buffer goes, and the few bytes past the piece move to a new
/// one; of an event's text far larger than a piece (or once the buffer grew that
/// large), pieces are copied out one by one instead, so that no piece holds a buffer
/// that large (the pieces in flight are counted, not their bytes). False when `send`
/// refused one: the rest is not wanted.
pub(super) fn hand_over<T: PieceText>(
    waiting: Waiting<'_, T>,
    piece: usize,
    next_buffer: &mut dyn FnMut() -> Vec<u8>,
    send: &mut dyn FnMut(Handed) -> bool,
) -> bool {
    let Waiting { text, ends } = waiting;
    let piece = piece.max(1);
    let len = text.as_bytes().len();
    let mut at = 0;
    while len - at >= piece {
        let cut = text.cut_at(at + piece);
        let ends_in_piece = take_ends(ends, at, cut);
        if at == 0 && len - cut < piece && text.capacity() <= piece.saturating_mul(2) {
            let handed = text.split_off_front(cut, next_buffer());
            ends.iter_mut().for_each(|end| *end -= cut);
            return send((handed, ends_in_piece));
        }
        let mut copy = next_buffer();
        copy.extend_from_slice(&text.as_bytes()[at..cut]);
        if !send((copy, ends_in_piece)) {
            return false;
        }
        at = cut;
    }
    text.drop_front(at);
    ends.iter_mut().for_each(|end| *end -= at);
    true
}

/// The transaction ends of `ends` up to `to`, from `from` on (the first ones), taken
/// out and counted from `from`.
fn take_ends(ends: &mut Vec<usize>, from: usize, to: usize) -> Vec<usize> {
    let taken = ends.partition_point(|&end| end <= to);
    ends.drain(..taken).map(|end| end - from).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pieces `hand_over` sends of `text` (whose transactions end at `ends`) and
    /// what it keeps.
    fn handed<T: PieceText>(
        mut text: T,
        mut ends: Vec<usize>,
        piece: usize,
    ) -> (Vec<Handed>, Vec<u8>, Vec<usize>) {
        let mut sent = Vec::new();
        let waiting = Waiting {
            text: &mut text,
            ends: &mut ends,
        };
        assert!(hand_over(waiting, piece, &mut Vec::new, &mut |p| {
            sent.push(p);
            true
        }));
        (sent, text.as_bytes().to_vec(), ends)
    }

    /// The pieces' text, and what is kept.
    fn pieces<T: PieceText>(text: T, piece: usize) -> (Vec<Vec<u8>>, Vec<u8>) {
        let (sent, kept, _) = handed(text, Vec::new(), piece);
        (sent.into_iter().map(|(text, _)| text).collect(), kept)
    }

    #[test]
    fn pieces_end_at_a_character_boundary_and_the_rest_stays() {
        // "é" and "€" take two and three bytes: a cut inside one moves past it.
        let (sent, kept) = pieces(String::from("aéb€c"), 2);
        assert_eq!(sent, [&b"a\xc3\xa9"[..], "b€".as_bytes()]);
        assert_eq!(kept, b"c");
        let (sent, kept) = pieces(b"abcdefg".to_vec(), 3);
        assert_eq!(
            (sent, kept),
            (vec![b"abc".to_vec(), b"def".to_vec()], b"g".to_vec())
        );
        // Less than a piece waiting: nothing goes.
        assert_eq!(pieces(String::from("ab"), 3), (vec![], b"ab".to_vec()));
    }

    #[test]
    fn a_large_text_is_copied_out_in_pieces_of_their_size() {
        let text = "x".repeat(10_000) + "tail";
        let (sent, kept) = pieces(text.clone(), 1000);
        assert_eq!(sent.len(), 10);
        assert!(sent.iter().all(|p| p.len() == 1000 && p.capacity() < 4000));
        assert_eq!(sent.concat(), text.as_bytes()[..10_000]);
        assert_eq!(kept, b"tail");
        // A piece and a little: the text's own buffer goes, the little stays; unless
        // the buffer is far larger than a piece.
        let mut text = String::with_capacity(2000);
        text.push_str(&"y".repeat(1010));
        let (sent, kept) = pieces(text, 1000);
        assert_eq!((sent.len(), sent[0].capacity(), kept.len()), (1, 2000, 10));
        let mut text = String::with_capacity(20_000);
        text.push_str(&"y".repeat(1010));
        let (sent, kept) = pieces(text, 1000);
        assert_eq!((sent.len(), sent[0].capacity(), kept.len()), (1, 1000, 10));
    }

    #[test]
    fn a_refused_piece_ends_the_hand_over() {
        let mut text = "z".repeat(5000);
        let waiting = Waiting {
            text: &mut text,
            ends: &mut Vec::new(),
        };
        let mut sent = 0;
        assert!(!hand_over(waiting, 1000, &mut Vec::new, &mut |_| {
            sent += 1;
            sent < 2
        }));
        assert_eq!(sent, 2);
    }

    #[test]
    fn transaction_ends_go_with_the_piece_they_lie_in() {
        // Transactions end at 3, 6 (a piece's end), 7 and 12 of a 14-byte text cut in
        // pieces of 6, copied out (its buffer holds more than two pieces).
        let text = "abcdefghijklmn".to_string();
        let (sent, kept, ends) = handed(text, vec![3, 6, 7, 12], 6);
        assert_eq!(sent[0], (b"abcdef".to_vec(), vec![3, 6]));
        assert_eq!(sent[1], (b"ghijkl".to_vec(), vec![1, 6]));
        assert_eq!((kept, ends), (b"mn".to_vec(), vec![]));
        // The text's own buffer goes; what stays is counted from the rest's start, an
        // empty transaction's end too.
        let (sent, kept, ends) = handed(b"abcdefgh".to_vec(), vec![2, 7, 7, 8], 6);
        assert_eq!(sent, [(b"abcdef".to_vec(), vec![2])]);
        assert_eq!((kept, ends), (b"gh".to_vec(), vec![1, 1, 2]));
    }
}
