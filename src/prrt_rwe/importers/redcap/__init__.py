"""REDCap: the project template derived from the schema, and the importer of its exports."""
