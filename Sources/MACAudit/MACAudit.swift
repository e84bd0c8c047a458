// The library product: every stage of the core, for the command line, the benchmark and other
// front ends that want the whole pipeline with one import. The stages themselves are separate
// targets (Model ← Ingest ← Engine ← Report) so that the compiler keeps the flow one-way.
@_exported import MACAuditModel
@_exported import MACAuditIngest
@_exported import MACAuditEngine
@_exported import MACAuditReport
