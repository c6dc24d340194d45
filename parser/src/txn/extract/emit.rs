//! Fragments out: the record of a fragment, tagged (seqno, eventId, shard, metadata).

use crate::binlog::stream::EventSite;
use crate::error::{Error, ErrorKind};
use crate::thl::event::{Event as ThlEvent, Header, ReplDbmsEvent};
use crate::thl::{JavaStr, OwnedRecord, RecordHeader, CRC_32, CRC_NONE};
use crate::txn::event_id::EventId;
use crate::txn::TxnError;

use super::owned::{view_options, Options, OwnedChange};
use super::{shard, Building, Extractor, Fragment, SourceFacts};

impl Extractor {
    pub(super) fn maybe_fragment(
        &mut self,
        site: &EventSite<'_>,
    ) -> Result<Option<Fragment>, Error> {
        let limit = self.options.fragment_size;
        if limit == 0 || self.building.size <= limit || self.building.changes.is_empty() {
            return Ok(None);
        }
        let fragment = self.emit(site, false, false)?;
        self.fragno += 1;
        Ok(Some(fragment))
    }

    pub(super) fn finish_transaction(
        &mut self,
        site: &EventSite<'_>,
        rollback: bool,
    ) -> Result<Option<Fragment>, Error> {
        self.in_transaction = false;
        self.load_files.clear();
        if self.building.changes.is_empty() && self.fragno == 0 {
            // Nothing to apply (an XID after an empty transaction).
            self.building = Building::default();
            self.take_facts();
            return Ok(None);
        }
        let fragment = self.emit(site, true, rollback)?;
        self.fragno = 0;
        self.first_fragment = None;
        self.next_seqno += 1;
        Ok(Some(fragment))
    }

    /// Builds the record of the fragment so far and starts the next one.
    pub(super) fn emit(
        &mut self,
        site: &EventSite<'_>,
        last_frag: bool,
        rollback: bool,
    ) -> Result<Fragment, Error> {
        let b = std::mem::take(&mut self.building);
        for schema in &b.schemas {
            match &mut self.facts.databases {
                Some(_) if schema == shard::UNKNOWN => self.facts.databases = None,
                Some(set) => {
                    set.insert(schema.clone());
                }
                None => {}
            }
        }
        self.facts.session = self.facts.session.or(b.session_id);
        let decision = match &self.first_fragment {
            Some(d) => d.clone(),
            None => {
                let d = shard::decide(
                    &b.schemas,
                    b.origin_service.as_deref(),
                    &self.options.service,
                );
                self.first_fragment = Some(d.clone());
                d
            }
        };
        let mut metadata: Options = Vec::new();
        metadata.push((
            "mysql_server_id",
            b.server_id.unwrap_or(site.header.server_id).to_string(),
        ));
        if let Some((domain, seqno)) = b.gtid {
            metadata.push(("gtid_domain_id", domain.to_string()));
            metadata.push(("gtid_seqno", seqno.to_string()));
        }
        if rollback {
            metadata.push(("rollback", String::new()));
        }
        if b.unsafe_for_block_commit {
            metadata.push(("unsafe_for_block_commit", String::new()));
        }
        metadata.push(("tz_aware", "true".into()));
        metadata.push(("dbms_type", "mysql".into()));
        if decision.is_metadata {
            metadata.push(("is_metadata", "true".into()));
        }
        metadata.push(("service", decision.service.clone()));
        metadata.push(("shard", decision.shard.clone()));
        let options = if b.has_rows {
            b.begin_options
        } else {
            Vec::new()
        };
        let event_id = EventId {
            file: site.log_name.to_string(),
            position: site.next_position,
            session: Some(b.session_id.unwrap_or(-1)),
        }
        .to_string();
        let source_tstamp = i64::from(b.start_time.unwrap_or(site.header.timestamp)) * 1000;
        let seqno = self.next_seqno;
        let too_long = |what| {
            Error::new(
                site.file,
                site.offset,
                ErrorKind::Txn(TxnError::TooLong { what }),
            )
        };
        let record = RecordHeader {
            seqno,
            fragno: self.fragno,
            last_frag,
            epoch: self.options.epoch,
            source_id: JavaStr::encode(&self.options.source_id)
                .ok_or_else(|| too_long("the source id"))?,
            event_id: JavaStr::encode(&event_id).ok_or_else(|| too_long("the eventId"))?,
            shard_id: JavaStr::encode(&decision.shard).ok_or_else(|| too_long("the shard id"))?,
            source_tstamp,
        };
        let event = ThlEvent {
            record,
            header: Header {
                seqno,
                fragno: i32::from(self.fragno),
                last_frag,
                source_tstamp,
                extracted_tstamp: source_tstamp,
                source_id: &self.options.source_id,
                epoch_number: self.options.epoch,
                event_id: &event_id,
                shard_id: "#DEFAULT",
                filtered_event: false,
                seqno_end: None,
                fragno_end: None,
            },
            body: ReplDbmsEvent {
                changes: b.changes.iter().map(OwnedChange::view).collect(),
                metadata: view_options(&metadata),
                options: view_options(&options),
            },
        };
        let record = owned_record(event.encode(), self.options.checksums);
        Ok(Fragment {
            seqno,
            fragno: self.fragno,
            last_frag,
            shard: decision.shard,
            event_id,
            record,
            facts: last_frag.then(|| self.take_facts()),
        })
    }

    /// The facts of the transaction that just ended; the next starts afresh.
    pub(super) fn take_facts(&mut self) -> SourceFacts {
        std::mem::replace(&mut self.facts, SourceFacts::empty())
    }
}

/// The record of encoded event data, as a THL file would frame it (length, data, CRC
/// type and CRC; the same framing as the writer's), without copying the data.
fn owned_record(data: Vec<u8>, checksums: bool) -> OwnedRecord {
    let (crc_type, crc) = if checksums {
        (CRC_32, u64::from(crc32fast::hash(&data)))
    } else {
        (CRC_NONE, 0)
    };
    OwnedRecord {
        file: String::new(),
        offset: 0,
        // The length field counts itself (4), the CRC type (1) and the CRC (8).
        length: (data.len() + 13) as u32,
        crc_type,
        crc,
        data,
    }
}
