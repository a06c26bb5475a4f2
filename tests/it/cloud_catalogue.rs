//! The provider catalogue of issue 32 against its JSON Schema, with a full validator: the
//! schema is a valid 2020-12 schema, the catalogue satisfies it, and what it forbids is
//! refused (an unknown member, a config format the detector cannot read, a Windows entry
//! without its confidence).

use serde_json::Value;

fn schema() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(include_str!("../../schemas/cloud-providers.schema.json")).unwrap();
    jsonschema::meta::validate(&schema).unwrap();
    jsonschema::options().build(&schema).unwrap()
}

fn catalogue() -> Value {
    serde_json::from_str(include_str!("../../schemas/cloud-providers.json")).unwrap()
}

#[test]
fn the_catalogue_satisfies_its_schema() {
    let validator = schema();
    let errors: Vec<String> = validator.iter_errors(&catalogue()).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn the_schema_refuses_what_it_forbids() {
    let validator = schema();
    let mut extra = catalogue();
    extra["providers"][0]["homepage"] = "https://example.com".into();
    assert!(!validator.is_valid(&extra));
    let mut unknown_format = catalogue();
    unknown_format["providers"][0]["platforms"]["linux"]["config"][0]["format"] = "yaml".into();
    assert!(!validator.is_valid(&unknown_format));
    let mut no_confidence = catalogue();
    let windows = no_confidence["providers"][0]["platforms"]["windows"]
        .as_object_mut()
        .unwrap();
    windows.remove("confidence");
    assert!(!validator.is_valid(&no_confidence));
    let mut bad_type = catalogue();
    bad_type["filesystems"]["network"][0] = "NFS with spaces".into();
    assert!(!validator.is_valid(&bad_type));
}
