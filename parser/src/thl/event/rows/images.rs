//! The row images of one side of a row change, stored one after another.

use std::ops::Index;

use super::ColumnVal;

/// The before or the after images of a row change (`keyValues` or `columnValues`), one
/// row after another in a single vector: decoding a table change allocates once for all
/// its rows instead of once per row. An image may have any number of values; a writer
/// normally stores one per column spec.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RowImages<'a> {
    values: Vec<ColumnVal<'a>>,
    /// Where each image ends in `values`.
    ends: Vec<usize>,
}

impl<'a> RowImages<'a> {
    /// No images.
    pub fn new() -> Self {
        RowImages::default()
    }

    /// The number of images (rows).
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there are no images.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The values of image `row`, if there is one.
    pub fn get(&self, row: usize) -> Option<&[ColumnVal<'a>]> {
        let end = *self.ends.get(row)?;
        let start = match row.checked_sub(1) {
            Some(previous) => *self.ends.get(previous)?,
            None => 0,
        };
        self.values.get(start..end)
    }

    /// The images in order, each as its values.
    pub fn iter(&self) -> Images<'_, 'a> {
        Images {
            values: &self.values,
            start: 0,
            ends: self.ends.iter(),
        }
    }

    /// Every value of every image, in order.
    pub fn values(&self) -> &[ColumnVal<'a>] {
        &self.values
    }

    /// Appends an image.
    pub fn push(&mut self, image: impl IntoIterator<Item = ColumnVal<'a>>) {
        self.values.extend(image);
        self.ends.push(self.values.len());
    }

    /// Room for `rows` more images of `values` values in all.
    pub(crate) fn reserve_exact(&mut self, rows: usize, values: usize) {
        self.ends.reserve_exact(rows);
        self.values.reserve_exact(values);
    }

    /// Appends a value to the image being decoded (ended by [`RowImages::end_image`]).
    pub(crate) fn push_value(&mut self, value: ColumnVal<'a>) {
        self.values.push(value);
    }

    /// Ends the image whose values were pushed since the last one ended.
    pub(crate) fn end_image(&mut self) {
        self.ends.push(self.values.len());
    }
}

impl<'a> Index<usize> for RowImages<'a> {
    type Output = [ColumnVal<'a>];

    /// The values of image `row`; panics when there is no such image, as a slice does.
    fn index(&self, row: usize) -> &Self::Output {
        match self.get(row) {
            Some(image) => image,
            None => panic!("row image {row} of {}", self.len()),
        }
    }
}

impl<'a, I: IntoIterator<Item = ColumnVal<'a>>> FromIterator<I> for RowImages<'a> {
    fn from_iter<T: IntoIterator<Item = I>>(images: T) -> Self {
        let mut out = RowImages::new();
        for image in images {
            out.push(image);
        }
        out
    }
}

impl<'s, 'a> IntoIterator for &'s RowImages<'a> {
    type Item = &'s [ColumnVal<'a>];
    type IntoIter = Images<'s, 'a>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// The images of a [`RowImages`] in order, each as its values.
#[derive(Debug, Clone)]
pub struct Images<'s, 'a> {
    values: &'s [ColumnVal<'a>],
    /// Where the next image starts in `values`.
    start: usize,
    ends: std::slice::Iter<'s, usize>,
}

impl<'s, 'a> Iterator for Images<'s, 'a> {
    type Item = &'s [ColumnVal<'a>];

    fn next(&mut self) -> Option<Self::Item> {
        let end = *self.ends.next()?;
        let image = self.values.get(self.start..end)?;
        self.start = end;
        Some(image)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.ends.size_hint()
    }
}

impl ExactSizeIterator for Images<'_, '_> {}
