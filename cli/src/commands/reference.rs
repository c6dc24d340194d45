//! `thl completions SHELL` and `thl man`: a completion script and the manual page,
//! generated from the one description of the command line (clap's [`LowArgs`], whose
//! options are the option table's) so that neither can fall behind it.

use std::io::Write;

use clap::builder::PossibleValuesParser;
use clap::CommandFactory;

use crate::args::{command_names, LowArgs};
use crate::failure::Failure;

use super::help::{REPLOG_HELP, TUNGSTEN_HELP};

/// The command line as documented: clap's description of [`LowArgs`], with what only
/// the documentation needs (the command words a shell may complete, the help text as
/// the manual's command reference).
fn documented() -> clap::Command {
    <LowArgs as CommandFactory>::command()
        .about("Tungsten-compatible THL tool that also reads MySQL/MariaDB binary logs")
        .long_about(
            "Lists, indexes and purges Tungsten Replicator THL logs as Tungsten's thl does, \
             and reads MySQL/MariaDB binary logs (files, pipes, .gz/.zst archives) as \
             events, as THL, or as a simulated parallel apply. Options take one dash as in \
             Tungsten (-low 3) or two (--low=3).",
        )
        .version(env!("CARGO_PKG_VERSION"))
        .after_long_help(format!("{TUNGSTEN_HELP}{REPLOG_HELP}"))
        .mut_arg("words", |words| {
            words
                .value_name("COMMAND")
                .value_parser(PossibleValuesParser::new(command_names()))
        })
}

/// Writes the completion script for `shell`.
pub fn completions(shell: clap_complete::Shell, out: &mut impl Write) -> Result<(), Failure> {
    clap_complete::generate(shell, &mut documented(), "thl", out);
    Ok(())
}

/// Writes the manual page (roff).
pub fn man(out: &mut impl Write) -> Result<(), Failure> {
    clap_mangen::Man::new(documented()).render(out)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::option_names;

    fn text(write: impl FnOnce(&mut Vec<u8>) -> Result<(), Failure>) -> String {
        let mut out = Vec::new();
        write(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_option_table_and_clap_describe_the_same_options() {
        let mut table: Vec<&str> = option_names().collect();
        let mut clap: Vec<String> = documented()
            .get_arguments()
            .filter_map(|a| a.get_long().map(str::to_string))
            .collect();
        table.sort_unstable();
        clap.sort_unstable();
        assert_eq!(clap, table);
    }

    #[test]
    fn every_completion_script_offers_every_option_and_command() {
        use clap::ValueEnum;
        for &shell in clap_complete::Shell::value_variants() {
            let script = text(|out| completions(shell, out));
            for option in option_names() {
                // Fish names a long option `-l NAME`; the others spell it `--NAME`.
                let spelled = match shell {
                    clap_complete::Shell::Fish => format!("-l {option} "),
                    _ => format!("--{option}"),
                };
                assert!(script.contains(&spelled), "{shell}: {spelled}");
            }
        }
        // clap's fish, elvish and PowerShell scripts complete options only.
        for shell in ["bash", "zsh"] {
            let shell = shell.parse().unwrap();
            let script = text(|out| completions(shell, out));
            for command in command_names() {
                assert!(script.contains(command), "{shell}: {command}");
            }
        }
        let bash = text(|out| completions(clap_complete::Shell::Bash, out));
        assert!(bash.contains("complete -F _thl"), "{bash}");
    }

    #[test]
    fn the_manual_documents_every_option_and_command() {
        let page = text(man);
        assert!(
            page.starts_with(".ie \\n(.g .ds Aq \\(aq"),
            "{}",
            &page[..200]
        );
        assert!(page.contains(".TH thl 1"), "{}", &page[..400]);
        for option in option_names() {
            // roff escapes dashes: `--no-checksum` is `\-\-no\-checksum`.
            let roff = format!("\\-\\-{}", option.replace('-', "\\-"));
            assert!(page.contains(&roff), "{roff}");
        }
        for entry in [
            "events -file F [F...]",
            "completions bash|zsh|fish",
            "purge [-low #]",
        ] {
            let roff = entry.replace('-', "\\-");
            assert!(page.contains(&roff), "{roff}");
        }
    }
}
