//! Image upload validation: a pure function over the first bytes of an upload.
//!
//! The type comes from the magic bytes (never from the file name or the client's content
//! type); the dimensions from the format's header. A host passes the first bytes it has
//! received (a few KiB are enough; JPEG headers may need more when large metadata precedes
//! the frame header) and the total size of the upload.

use crate::error::{ErrorCode, KassaError};
use serde::{Deserialize, Serialize};
use std::fmt;

/// An image format recognised by its magic bytes.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    kassa_derive::Decode,
)]
#[serde(rename_all = "snake_case")]
pub enum ImageFormat {
    /// JPEG (`FF D8 FF`).
    Jpeg,
    /// PNG (`89 50 4E 47 0D 0A 1A 0A`).
    Png,
    /// WebP (`RIFF....WEBP`).
    Webp,
    /// GIF (`GIF87a` / `GIF89a`).
    Gif,
}

impl ImageFormat {
    /// The MIME type, e.g. `"image/png"`.
    pub const fn mime_type(self) -> &'static str {
        match self {
            ImageFormat::Jpeg => "image/jpeg",
            ImageFormat::Png => "image/png",
            ImageFormat::Webp => "image/webp",
            ImageFormat::Gif => "image/gif",
        }
    }

    /// Recognises the format from the first bytes.
    pub fn sniff(header: &[u8]) -> Option<ImageFormat> {
        if header.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(ImageFormat::Jpeg)
        } else if header.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(ImageFormat::Png)
        } else if header.starts_with(b"GIF87a") || header.starts_with(b"GIF89a") {
            Some(ImageFormat::Gif)
        } else if header.starts_with(b"RIFF") && header.get(8..12) == Some(b"WEBP".as_slice()) {
            Some(ImageFormat::Webp)
        } else {
            None
        }
    }
}

/// What an upload may be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct ImageRules {
    /// Accepted formats.
    #[serde(default = "all_formats")]
    pub allowed: Vec<ImageFormat>,
    /// Largest upload in bytes.
    #[serde(default = "default_max_bytes")]
    pub max_bytes: u64,
    /// Widest image in pixels.
    #[serde(default = "default_max_side")]
    pub max_width: u32,
    /// Tallest image in pixels.
    #[serde(default = "default_max_side")]
    pub max_height: u32,
}

fn all_formats() -> Vec<ImageFormat> {
    vec![
        ImageFormat::Jpeg,
        ImageFormat::Png,
        ImageFormat::Webp,
        ImageFormat::Gif,
    ]
}

fn default_max_bytes() -> u64 {
    10 * 1024 * 1024
}

fn default_max_side() -> u32 {
    8000
}

impl Default for ImageRules {
    /// JPEG, PNG, WebP and GIF; at most 10 MiB and 8000 × 8000 pixels.
    fn default() -> Self {
        ImageRules {
            allowed: all_formats(),
            max_bytes: default_max_bytes(),
            max_width: default_max_side(),
            max_height: default_max_side(),
        }
    }
}

/// A valid image's type and size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct ImageInfo {
    /// The format.
    pub format: ImageFormat,
    /// Its MIME type.
    pub mime_type: String,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Size of the upload in bytes.
    pub bytes: u64,
}

/// Why an upload was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "snake_case", tag = "reason")]
pub enum ImageError {
    /// No upload at all.
    Empty,
    /// The magic bytes match no known image format.
    UnknownType,
    /// A known format the rules do not allow.
    TypeNotAllowed {
        /// The format found.
        format: ImageFormat,
    },
    /// The upload is larger than allowed.
    TooLarge {
        /// Size of the upload.
        bytes: u64,
        /// The limit.
        max_bytes: u64,
    },
    /// The header ends before the dimensions (or is malformed).
    Truncated {
        /// The format found.
        format: ImageFormat,
    },
    /// Wider or taller than allowed.
    TooBig {
        /// Width found.
        width: u32,
        /// Height found.
        height: u32,
        /// Width limit.
        max_width: u32,
        /// Height limit.
        max_height: u32,
    },
    /// A zero width or height.
    ZeroSize,
}

impl ImageError {
    /// The machine reason, e.g. `"too_large"`.
    pub const fn reason(&self) -> &'static str {
        match self {
            ImageError::Empty => "empty",
            ImageError::UnknownType => "unknown_type",
            ImageError::TypeNotAllowed { .. } => "type_not_allowed",
            ImageError::TooLarge { .. } => "too_large",
            ImageError::Truncated { .. } => "truncated",
            ImageError::TooBig { .. } => "too_big",
            ImageError::ZeroSize => "zero_size",
        }
    }
}

impl fmt::Display for ImageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImageError::Empty => write!(f, "the upload is empty"),
            ImageError::UnknownType => write!(f, "not a JPEG, PNG, WebP or GIF image"),
            ImageError::TypeNotAllowed { format } => {
                write!(f, "{} images are not allowed", format.mime_type())
            }
            ImageError::TooLarge { bytes, max_bytes } => {
                write!(f, "{bytes} bytes is over the limit of {max_bytes}")
            }
            ImageError::Truncated { format } => {
                write!(
                    f,
                    "the {} header is truncated or malformed",
                    format.mime_type()
                )
            }
            ImageError::TooBig {
                width,
                height,
                max_width,
                max_height,
            } => write!(
                f,
                "{width}x{height} pixels is over the limit of {max_width}x{max_height}"
            ),
            ImageError::ZeroSize => write!(f, "the image has a zero width or height"),
        }
    }
}

impl From<ImageError> for KassaError {
    /// `VALIDATION_ERROR` on field `image`, with `meta.reason` set to the machine reason.
    fn from(e: ImageError) -> Self {
        let mut err = KassaError::new(ErrorCode::ValidationError, format!("image: {e}"))
            .with_detail("image", e.to_string())
            .with_meta("reason", e.reason());
        if let ImageError::TooLarge { max_bytes, .. } = e {
            err = err.with_meta("maxBytes", max_bytes);
        }
        err
    }
}

/// Validates an upload from its first bytes (`header`) and its total size in bytes.
///
/// Checks, in order: not empty, size limit, known type by magic bytes, allowed type,
/// dimensions parsed from the header, dimension limits.
pub fn validate_image(
    header: &[u8],
    total_bytes: u64,
    rules: &ImageRules,
) -> Result<ImageInfo, ImageError> {
    if header.is_empty() || total_bytes == 0 {
        return Err(ImageError::Empty);
    }
    if total_bytes > rules.max_bytes {
        return Err(ImageError::TooLarge {
            bytes: total_bytes,
            max_bytes: rules.max_bytes,
        });
    }
    let format = ImageFormat::sniff(header).ok_or(ImageError::UnknownType)?;
    if !rules.allowed.contains(&format) {
        return Err(ImageError::TypeNotAllowed { format });
    }
    let (width, height) = match format {
        ImageFormat::Png => png_size(header),
        ImageFormat::Gif => gif_size(header),
        ImageFormat::Jpeg => jpeg_size(header),
        ImageFormat::Webp => webp_size(header),
    }
    .ok_or(ImageError::Truncated { format })?;
    if width == 0 || height == 0 {
        return Err(ImageError::ZeroSize);
    }
    if width > rules.max_width || height > rules.max_height {
        return Err(ImageError::TooBig {
            width,
            height,
            max_width: rules.max_width,
            max_height: rules.max_height,
        });
    }
    Ok(ImageInfo {
        format,
        mime_type: format.mime_type().to_owned(),
        width,
        height,
        bytes: total_bytes,
    })
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    let s: [u8; 4] = b.get(at..at + 4)?.try_into().ok()?;
    Some(u32::from_be_bytes(s))
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    let s: [u8; 2] = b.get(at..at + 2)?.try_into().ok()?;
    Some(u16::from_be_bytes(s))
}

fn le16(b: &[u8], at: usize) -> Option<u16> {
    let s: [u8; 2] = b.get(at..at + 2)?.try_into().ok()?;
    Some(u16::from_le_bytes(s))
}

fn le24(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at + 3)?;
    Some(
        s.iter()
            .rev()
            .fold(0u32, |acc, x| (acc << 8) | u32::from(*x)),
    )
}

fn png_size(b: &[u8]) -> Option<(u32, u32)> {
    // signature (8), chunk length (4), "IHDR", width, height (big-endian).
    if b.get(12..16) != Some(b"IHDR".as_slice()) {
        return None;
    }
    Some((be32(b, 16)?, be32(b, 20)?))
}

fn gif_size(b: &[u8]) -> Option<(u32, u32)> {
    Some((u32::from(le16(b, 6)?), u32::from(le16(b, 8)?)))
}

fn jpeg_size(b: &[u8]) -> Option<(u32, u32)> {
    let mut i = 2usize;
    loop {
        // Skip fill bytes before a marker.
        if *b.get(i)? != 0xFF {
            return None;
        }
        while *b.get(i)? == 0xFF {
            i += 1;
        }
        let marker = *b.get(i)?;
        i += 1;
        match marker {
            // Standalone markers without a length.
            0x01 | 0xD0..=0xD7 => continue,
            0xD9 | 0xDA => return None,
            _ => {}
        }
        let len = usize::from(be16(b, i)?);
        if len < 2 {
            return None;
        }
        let is_sof = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if is_sof {
            // length (2), precision (1), height (2), width (2).
            let height = u32::from(be16(b, i + 3)?);
            let width = u32::from(be16(b, i + 5)?);
            return Some((width, height));
        }
        i = i.checked_add(len)?;
    }
}

fn webp_size(b: &[u8]) -> Option<(u32, u32)> {
    match b.get(12..16)? {
        b"VP8X" => Some((le24(b, 24)? + 1, le24(b, 27)? + 1)),
        b"VP8L" => {
            if *b.get(20)? != 0x2F {
                return None;
            }
            let bits = u32::from_le_bytes(b.get(21..25)?.try_into().ok()?);
            Some(((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1))
        }
        b"VP8 " => {
            // frame tag (3) then start code 9D 01 2A, then 14-bit width and height.
            if b.get(23..26) != Some([0x9D, 0x01, 0x2A].as_slice()) {
                return None;
            }
            Some((
                u32::from(le16(b, 26)? & 0x3FFF),
                u32::from(le16(b, 28)? & 0x3FFF),
            ))
        }
        _ => None,
    }
}

/// Test and vector helpers: minimal headers of each format with given dimensions.
pub mod fixtures {
    /// A PNG signature and IHDR chunk.
    pub fn png(width: u32, height: u32) -> Vec<u8> {
        let mut b = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
        b.extend_from_slice(&width.to_be_bytes());
        b.extend_from_slice(&height.to_be_bytes());
        b.extend_from_slice(&[8, 6, 0, 0, 0]);
        b
    }

    /// A GIF89a logical screen descriptor.
    pub fn gif(width: u16, height: u16) -> Vec<u8> {
        let mut b = b"GIF89a".to_vec();
        b.extend_from_slice(&width.to_le_bytes());
        b.extend_from_slice(&height.to_le_bytes());
        b.extend_from_slice(&[0, 0, 0]);
        b
    }

    /// A JPEG with an APP0 (JFIF) segment before a baseline SOF0.
    pub fn jpeg(width: u16, height: u16) -> Vec<u8> {
        let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
        b.extend_from_slice(b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00");
        b.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x11, 0x08]);
        b.extend_from_slice(&height.to_be_bytes());
        b.extend_from_slice(&width.to_be_bytes());
        b.extend_from_slice(&[3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
        b
    }

    /// A WebP with an extended (VP8X) header.
    pub fn webp(width: u32, height: u32) -> Vec<u8> {
        let mut b = b"RIFF\x00\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00\x00\x00\x00\x00".to_vec();
        for side in [width, height] {
            let [a, b2, c, _] = side.saturating_sub(1).to_le_bytes();
            b.extend_from_slice(&[a, b2, c]);
        }
        b
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::*;
    use super::*;

    fn ok(b: &[u8]) -> ImageInfo {
        validate_image(b, b.len() as u64, &ImageRules::default()).unwrap()
    }

    #[test]
    fn every_format_parses() {
        let i = ok(&png(640, 480));
        assert_eq!((i.format, i.width, i.height), (ImageFormat::Png, 640, 480));
        let i = ok(&gif(10, 20));
        assert_eq!((i.format, i.width, i.height), (ImageFormat::Gif, 10, 20));
        let i = ok(&jpeg(1024, 768));
        assert_eq!(
            (i.format, i.width, i.height),
            (ImageFormat::Jpeg, 1024, 768)
        );
        let i = ok(&webp(300, 200));
        assert_eq!((i.format, i.width, i.height), (ImageFormat::Webp, 300, 200));
        // VP8L: 0x2F, then 14-bit (w-1), 14-bit (h-1).
        let mut l = b"RIFF\x00\x00\x00\x00WEBPVP8L\x00\x00\x00\x00\x2f".to_vec();
        let bits: u32 = 99 | (49 << 14);
        l.extend_from_slice(&bits.to_le_bytes());
        assert_eq!((ok(&l).width, ok(&l).height), (100, 50));
        // VP8 lossy
        let mut v = b"RIFF\x00\x00\x00\x00WEBPVP8 \x00\x00\x00\x00".to_vec();
        v.extend_from_slice(&[0, 0, 0, 0x9D, 0x01, 0x2A]);
        v.extend_from_slice(&64u16.to_le_bytes());
        v.extend_from_slice(&32u16.to_le_bytes());
        assert_eq!((ok(&v).width, ok(&v).height), (64, 32));
    }

    #[test]
    fn refusals_are_typed() {
        let r = ImageRules::default();
        assert_eq!(validate_image(b"", 0, &r), Err(ImageError::Empty));
        assert_eq!(
            validate_image(b"%PDF-1.7 hello", 14, &r),
            Err(ImageError::UnknownType)
        );
        assert!(matches!(
            validate_image(&png(1, 1), 11 * 1024 * 1024, &r),
            Err(ImageError::TooLarge { .. })
        ));
        let only_png = ImageRules {
            allowed: vec![ImageFormat::Png],
            ..ImageRules::default()
        };
        assert_eq!(
            validate_image(&gif(1, 1), 13, &only_png),
            Err(ImageError::TypeNotAllowed {
                format: ImageFormat::Gif
            })
        );
        assert!(matches!(
            validate_image(&png(9000, 10), 100, &r),
            Err(ImageError::TooBig { width: 9000, .. })
        ));
        assert_eq!(
            validate_image(&png(0, 10), 100, &r),
            Err(ImageError::ZeroSize)
        );
        let j = jpeg(10, 10);
        assert_eq!(
            validate_image(&j[..12], 5000, &r),
            Err(ImageError::Truncated {
                format: ImageFormat::Jpeg
            })
        );
        let e: KassaError = ImageError::UnknownType.into();
        assert_eq!(e.details[0].field, "image");
        assert_eq!(e.meta["reason"], "unknown_type");
    }
}
