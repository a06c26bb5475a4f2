//! The problem names are defined once: the event schema lists exactly them.

use super::Problem;

#[test]
fn problem_names_are_the_schemas_and_serialize_as_themselves() {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../../../schemas/events/ledger.verify.schema.json")).unwrap();
    let listed: Vec<&str> = schema["properties"]["problem"]["enum"]
        .as_array()
        .expect("the schema lists the problems")
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let names: Vec<&str> = Problem::ALL.iter().map(|p| p.as_str()).collect();
    assert_eq!(listed, names);
    for problem in Problem::ALL {
        assert_eq!(serde_json::to_value(problem).unwrap(), problem.as_str());
    }
}
