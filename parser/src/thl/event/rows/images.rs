//! The row images of one side of a row change, stored one after another.

use std::ops::Index;

use super::ColumnVal;

/// The before or the after images of a row change (`keyValues` or `columnValues`), one
/// row after another in a single vector: decoding a table change allocates once for all
/// its rows instead of once per row. An image may have any number of values; a writer
/// normally stores one per column spec, and while every image has as many values no
/// bounds are stored at all (a second allocation per image list saved).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RowImages<'a> {
    values: Vec<ColumnVal<'a>>,
    /// The number of images.
    images: usize,
    /// The number of values of every image, while `ends` is empty.
    width: usize,
    /// Where each image ends in `values`, once two images differ in width (then
    /// never empty).
    ends: Vec<usize>,
}

impl<'a> RowImages<'a> {
    /// No images.
    pub fn new() -> Self {
        RowImages::default()
    }

    /// The number of images (rows).
    pub fn len(&self) -> usize {
        self.images
    }

    /// Whether there are no images.
    pub fn is_empty(&self) -> bool {
        self.images == 0
    }

    /// The values of image `row`, if there is one.
    pub fn get(&self, row: usize) -> Option<&[ColumnVal<'a>]> {
        if row >= self.images {
            return None;
        }
        if self.ends.is_empty() {
            // `row` < `images`, and `images * width` values are stored: no overflow.
            let start = row * self.width;
            return self.values.get(start..start + self.width);
        }
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
            images: self,
            row: 0,
        }
    }

    /// Every value of every image, in order.
    pub fn values(&self) -> &[ColumnVal<'a>] {
        &self.values
    }

    /// Appends an image.
    pub fn push(&mut self, image: impl IntoIterator<Item = ColumnVal<'a>>) {
        self.values.extend(image);
        self.end_image();
    }

    /// Room for `values` more values.
    pub(crate) fn reserve_exact(&mut self, values: usize) {
        self.values.reserve_exact(values);
    }

    /// Appends a value to the image being decoded (ended by [`RowImages::end_image`]).
    pub(crate) fn push_value(&mut self, value: ColumnVal<'a>) {
        self.values.push(value);
    }

    /// Ends the image whose values were pushed since the last one ended.
    pub(crate) fn end_image(&mut self) {
        let end = self.values.len();
        if self.ends.is_empty() {
            let start = self.images * self.width;
            let width = end - start;
            if self.images == 0 {
                self.width = width;
            } else if width != self.width {
                // The first image of another width: from now on each image's end is kept.
                self.ends.reserve(self.images + 1);
                self.ends
                    .extend((1..=self.images).map(|image| image * self.width));
                self.ends.push(end);
            }
        } else {
            self.ends.push(end);
        }
        self.images += 1;
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
    images: &'s RowImages<'a>,
    /// The next image.
    row: usize,
}

impl<'s, 'a> Iterator for Images<'s, 'a> {
    type Item = &'s [ColumnVal<'a>];

    fn next(&mut self) -> Option<Self::Item> {
        let image = self.images.get(self.row)?;
        self.row += 1;
        Some(image)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.images.len().saturating_sub(self.row);
        (left, Some(left))
    }
}

impl ExactSizeIterator for Images<'_, '_> {}
