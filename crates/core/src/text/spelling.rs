//! British -> American spelling, applied to single folded words.
//!
//! The same function runs on the FAQ and on the query, so a rule that also
//! rewrites an unrelated word ("source" -> "sorce") is harmless: both sides
//! change alike. The rules only have to be deterministic.

/// Whole-word spellings that no suffix rule covers.
const WORDS: &[(&str, &str)] = &[
    ("ageing", "aging"),
    ("programme", "program"),
    ("programmes", "programs"),
    ("grey", "gray"),
    ("mould", "mold"),
    ("sulphur", "sulfur"),
    ("aluminium", "aluminum"),
    ("judgement", "judgment"),
    ("practise", "practice"),
    ("cheque", "check"),
    ("tonne", "ton"),
    ("storey", "story"),
    ("plough", "plow"),
    ("whilst", "while"),
    ("amongst", "among"),
    // Irregular forms the stemmer leaves apart.
    ("given", "give"),
    ("gave", "give"),
    ("taken", "take"),
    ("took", "take"),
    ("done", "do"),
    ("grown", "grow"),
    ("grew", "grow"),
    ("found", "find"),
    ("made", "make"),
    ("known", "know"),
    ("knew", "know"),
    ("bought", "buy"),
    ("paid", "pay"),
    ("lasts", "last"),
];

/// Greek-derived "ae"/"oe" spellings (haemorrhage, oedema, paediatric).
const INFIXES: &[(&str, &str)] = &[
    ("orthopaed", "orthoped"),
    ("haem", "hem"),
    ("anaem", "anem"),
    ("leukaem", "leukem"),
    ("ischaem", "ischem"),
    ("septicaem", "septicem"),
    ("paed", "ped"),
    ("aetiol", "etiol"),
    ("oedem", "edem"),
    ("oestr", "estr"),
    ("oesoph", "esoph"),
    ("diarrhoe", "diarrhe"),
    ("gynaec", "gynec"),
    ("foet", "fet"),
    ("anaesth", "anesth"),
];

/// "-ise" family endings rewritten to "-ize" (lyophilised, standardisation).
const ISE_ENDINGS: &[(&str, &str)] = &[
    ("isations", "izations"),
    ("isation", "ization"),
    ("ising", "izing"),
    ("ised", "ized"),
    ("ises", "izes"),
    ("iser", "izer"),
    ("ise", "ize"),
    ("yse", "yze"),
    ("ysed", "yzed"),
    ("ysing", "yzing"),
];

/// Words shorter than this keep their "-our"/"-ise" endings ("four", "hour", "rise").
const MIN_SUFFIX_RULE_LEN: usize = 6;

/// Returns the American spelling of a folded word, or the word unchanged.
pub(super) fn americanize(word: &str) -> String {
    if let Some((_, us)) = WORDS.iter().find(|(uk, _)| *uk == word) {
        return (*us).to_string();
    }
    let mut w = word.to_string();
    // Every infix has "ae" or "oe": skip the list for the many words without.
    let greek = word.contains("ae") || word.contains("oe");
    for (uk, us) in INFIXES.iter().filter(|_| greek) {
        if w.contains(uk) {
            w = w.replacen(uk, us, 1);
            break;
        }
    }
    if w.len() >= MIN_SUFFIX_RULE_LEN {
        // tumour, behaviour(s), tumourigenic; not "four" or "hour" (too short).
        if let Some(pos) = w.find("our") {
            if pos >= 3 {
                w.replace_range(pos..pos + 3, "or");
            }
        }
        for (uk, us) in ISE_ENDINGS {
            if let Some(stem) = w.strip_suffix(uk) {
                if stem.len() >= 3 {
                    w = format!("{stem}{us}");
                }
                break;
            }
        }
        // centre, fibre, nanometre(s) -> center, fiber, nanometer(s)
        for (uk, us) in [("tres", "ters"), ("tre", "ter"), ("bres", "bers"), ("bre", "ber")] {
            if let Some(stem) = w.strip_suffix(uk) {
                w = format!("{stem}{us}");
                break;
            }
        }
        // signalling, modelled, travellers -> signaling, modeled, travelers
        for (uk, us) in [("lling", "ling"), ("lled", "led"), ("llers", "lers"), ("ller", "ler")] {
            if let Some(stem) = w.strip_suffix(uk) {
                if stem.len() >= 4 {
                    w = format!("{stem}{us}");
                }
                break;
            }
        }
    }
    w
}

#[cfg(test)]
mod tests {
    use super::americanize;

    #[test]
    fn british_spellings_meet_american_ones() {
        for (uk, us) in [
            ("tumour", "tumor"),
            ("tumours", "tumors"),
            ("ageing", "aging"),
            ("signalling", "signaling"),
            ("lyophilised", "lyophilized"),
            ("standardisation", "standardization"),
            ("haemorrhage", "hemorrhage"),
            ("oedema", "edema"),
            ("nanometres", "nanometers"),
            ("behaviour", "behavior"),
            ("characterised", "characterized"),
        ] {
            assert_eq!(americanize(uk), americanize(us), "{uk} vs {us}");
        }
    }

    #[test]
    fn short_words_are_left_alone() {
        for w in ["four", "hour", "rise", "your", "wise"] {
            assert_eq!(americanize(w), w);
        }
    }
}
