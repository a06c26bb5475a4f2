//! The category shown in the vault browser, derived from the file name at import
//! (DESIGN.md §4a). The inspection issue refines it from content.

use std::path::Path;

/// Defines [`Category`], the list of every category and their stable names from one table,
/// so the browser's filter, the stored names and the event schema check all follow it.
macro_rules! categories {
    ($($(#[doc = $doc:literal])* $variant:ident = $name:literal,)*) => {
        /// Broad kind of an item.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Category {
            $($(#[doc = $doc])* $variant,)*
        }

        impl Category {
            /// Every category, in the order of the table.
            pub const ALL: &'static [Category] = &[$(Category::$variant),*];

            /// Stable name stored in the database and in events.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Category::$variant => $name,)*
                }
            }
        }
    };
}

categories! {
    /// GeoTIFF, DEMs and other rasters.
    Raster = "raster",
    /// Shapefiles, KML, GeoPackage, GeoJSON.
    Vector = "vector",
    /// LAS/LAZ point clouds.
    PointCloud = "point-cloud",
    /// Drone and camera photos.
    Photo = "photo",
    /// Scanned and office documents.
    Document = "document",
    /// ZIP, TAR and other bundles.
    Archive = "archive",
    /// Anything else.
    Other = "other",
}

impl serde::Serialize for Category {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl Category {
    /// Parse a stored name; an unknown one is [`Category::Other`].
    pub fn parse(text: &str) -> Category {
        Category::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == text)
            .unwrap_or(Category::Other)
    }

    /// Guess from the file name's extension.
    pub fn from_path(path: &Path) -> Category {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        if name.ends_with(".tar.gz") || name.ends_with(".tar.xz") || name.ends_with(".tar.bz2") {
            return Category::Archive;
        }
        let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
        match ext {
            "tif" | "tiff" | "dem" | "dt0" | "dt1" | "dt2" | "asc" | "img" | "jp2" | "ecw" | "nc" | "hgt" | "vrt" => {
                Category::Raster
            }
            "shp" | "shx" | "dbf" | "prj" | "kml" | "kmz" | "gpkg" | "geojson" | "gml" | "gpx" | "mif" | "tab" => {
                Category::Vector
            }
            "las" | "laz" | "e57" | "ply" | "pcd" => Category::PointCloud,
            "jpg" | "jpeg" | "png" | "heic" | "dng" | "raw" | "cr2" | "nef" | "arw" | "webp" => Category::Photo,
            "pdf" | "doc" | "docx" | "odt" | "txt" | "rtf" | "xls" | "xlsx" | "ods" | "ppt" | "pptx" | "csv" | "md"
            | "djvu" => Category::Document,
            "zip" | "tar" | "tgz" | "gz" | "bz2" | "xz" | "7z" | "rar" | "zst" => Category::Archive,
            _ => Category::Other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_from_extensions() {
        assert_eq!(Category::from_path(Path::new("/x/Harbour.TIF")), Category::Raster);
        assert_eq!(Category::from_path(Path::new("roads.gpkg")), Category::Vector);
        assert_eq!(Category::from_path(Path::new("scan.laz")), Category::PointCloud);
        assert_eq!(Category::from_path(Path::new("DJI_0001.JPG")), Category::Photo);
        assert_eq!(Category::from_path(Path::new("memo.pdf")), Category::Document);
        assert_eq!(Category::from_path(Path::new("bundle.tar.gz")), Category::Archive);
        assert_eq!(Category::from_path(Path::new("noext")), Category::Other);
        for c in Category::ALL {
            assert_eq!(Category::parse(c.as_str()), *c);
            assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
        }
        // The import event's schema lists exactly these names.
        let schema: serde_json::Value =
            serde_json::from_str(include_str!("../../schemas/events/item.import.schema.json")).unwrap();
        let listed: Vec<&str> = schema["properties"]["category"]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let names: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(listed, names);
    }
}
