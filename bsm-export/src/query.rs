//! `bsmexport --query`: SQL over an exported table, in process, with
//! DataFusion. The table is `audit`: every column of [`crate::schema`],
//! `host` and `date` taken from the partition directories (so that a
//! filter on them skips whole directories).

use std::path::Path;
use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Schema};
use datafusion::arrow::util::pretty::pretty_format_batches;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{
    ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl,
};
use datafusion::error::DataFusionError;
use datafusion::prelude::SessionContext;

use crate::schema;

/// The table's name in queries.
pub const TABLE: &str = "audit";

/// Runs `sql` over the table under `out`; the result as an aligned text
/// table.
pub fn query(out: &Path, sql: &str) -> Result<String, DataFusionError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(|err| DataFusionError::External(Box::new(err)))?;
    runtime.block_on(async {
        let context = SessionContext::new();
        context.register_table(TABLE, Arc::new(table(out)?))?;
        let batches = context.sql(sql).await?.collect().await?;
        Ok(pretty_format_batches(&batches)?.to_string())
    })
}

/// The listing of `out`'s partitions: the files' columns but `host`,
/// which the `host=` directories give (as they give `date`).
fn table(out: &Path) -> Result<ListingTable, DataFusionError> {
    let url = ListingTableUrl::parse(format!("{}/", out.display()))?;
    let options = ListingOptions::new(Arc::new(ParquetFormat::default()))
        .with_file_extension(".parquet")
        .with_table_partition_cols(vec![
            ("host".to_owned(), DataType::Utf8),
            ("date".to_owned(), DataType::Utf8),
        ]);
    let file_schema = schema::schema();
    let fields: Vec<_> = file_schema
        .fields()
        .iter()
        .filter(|field| field.name() != "host")
        .cloned()
        .collect();
    let config = ListingTableConfig::new(url)
        .with_listing_options(options)
        .with_schema(Arc::new(Schema::new(fields)));
    ListingTable::try_new(config)
}
