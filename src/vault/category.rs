//! The category shown in the vault browser, derived from the file name at import
//! (DESIGN.md §4a). The inspection issue refines it from content.

use std::path::Path;

/// Broad kind of an item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// GeoTIFF, DEMs and other rasters.
    Raster,
    /// Shapefiles, KML, GeoPackage, GeoJSON.
    Vector,
    /// LAS/LAZ point clouds.
    PointCloud,
    /// Drone and camera photos.
    Photo,
    /// Scanned and office documents.
    Document,
    /// ZIP, TAR and other bundles.
    Archive,
    /// Anything else.
    Other,
}

impl Category {
    /// Stable name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Raster => "raster",
            Category::Vector => "vector",
            Category::PointCloud => "point-cloud",
            Category::Photo => "photo",
            Category::Document => "document",
            Category::Archive => "archive",
            Category::Other => "other",
        }
    }

    /// Parse a stored name.
    pub fn parse(text: &str) -> Category {
        [
            Category::Raster,
            Category::Vector,
            Category::PointCloud,
            Category::Photo,
            Category::Document,
            Category::Archive,
        ]
        .into_iter()
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
        for c in [Category::Raster, Category::PointCloud, Category::Other] {
            assert_eq!(Category::parse(c.as_str()), c);
        }
    }
}
