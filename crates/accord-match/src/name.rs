//! Company names reduced to what tells companies apart: lower case, accents
//! folded, punctuation gone, "&"/"and" and a leading "the" dropped, legal
//! forms at the end (Inc, Ltd, GmbH, S.A. de C.V., …) stripped.
//!
//! `"Northwind Traders, Inc."`, `"NORTHWIND TRADERS LTD"` and
//! `"Northwind Traders (Pty) Ltd"` all become `"northwind traders"`.

/// Legal forms stripped from the end of a name, as tokens after
/// normalisation ("S.A." is `sa`, "Sp. z o.o." is `sp z oo`). Longest
/// phrases are tried first; stripping repeats ("Co., Ltd." → `co ltd` → ``)
/// but never takes the last token ("Ltd" alone stays `ltd`).
const LEGAL_FORMS: &[&[&str]] = &[
    &["sa", "de", "cv"],
    &["sp", "z", "oo"],
    &["ab"],
    &["ag"],
    &["aps"],
    &["as"],
    &["bv"],
    &["co"],
    &["company"],
    &["corp"],
    &["corporation"],
    &["cv"],
    &["gmbh"],
    &["inc"],
    &["incorporated"],
    &["kg"],
    &["kk"],
    &["limited"],
    &["llc"],
    &["llp"],
    &["lp"],
    &["ltd"],
    &["ltda"],
    &["nv"],
    &["oy"],
    &["plc"],
    &["pte"],
    &["pty"],
    &["pvt"],
    &["sa"],
    &["sarl"],
    &["sas"],
    &["sl"],
    &["spa"],
    &["srl"],
];

/// The normalised form of a company name; empty when nothing is left
/// (an empty name, only punctuation).
pub fn normalise(name: &str) -> String {
    let mut flat = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            flat.push(c.to_ascii_lowercase());
        } else if matches!(c, '.' | '\'' | '’' | '`') {
            // Joins: "S.A." is one token, "O'Brien" one word.
        } else if c.is_alphanumeric() {
            // Lower case, then folded ("Ä" → "ä" → "a"); marks that lower
            // casing leaves beside a letter (U+0307) are dropped.
            for lower in c.to_lowercase() {
                match fold(lower) {
                    Some(folded) => flat.push_str(folded),
                    None if lower.is_alphanumeric() => flat.push(lower),
                    None => {}
                }
            }
        } else {
            flat.push(' ');
        }
    }
    let mut tokens: Vec<&str> = flat
        .split(' ')
        .filter(|t| !t.is_empty() && *t != "and")
        .collect();
    while tokens.len() > 1 && tokens[0] == "the" {
        tokens.remove(0);
    }
    'strip: while tokens.len() > 1 {
        for form in LEGAL_FORMS {
            if form.len() < tokens.len() && tokens.ends_with(form) {
                tokens.truncate(tokens.len() - form.len());
                continue 'strip;
            }
        }
        break;
    }
    tokens.join(" ")
}

/// A Latin letter with a diacritic (or a ligature) as plain lower-case
/// ASCII; `None` for anything else.
fn fold(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å'
        | 'Ā' | 'Ă' | 'Ą' => "a",
        'æ' | 'Æ' => "ae",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' | 'Ç' | 'Ć' | 'Ĉ' | 'Ċ' | 'Č' => "c",
        'ď' | 'đ' | 'Ď' | 'Đ' | 'ð' | 'Ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' | 'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ĕ'
        | 'Ė' | 'Ę' | 'Ě' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' | 'Ĝ' | 'Ğ' | 'Ġ' | 'Ģ' => "g",
        'ĥ' | 'ħ' | 'Ĥ' | 'Ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' | 'Ì' | 'Í' | 'Î' | 'Ï' | 'Ĩ' | 'Ī'
        | 'Ĭ' | 'Į' | 'İ' => "i",
        'ĵ' | 'Ĵ' => "j",
        'ķ' | 'Ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' | 'Ĺ' | 'Ļ' | 'Ľ' | 'Ŀ' | 'Ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' | 'Ñ' | 'Ń' | 'Ņ' | 'Ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø'
        | 'Ō' | 'Ŏ' | 'Ő' => "o",
        'œ' | 'Œ' => "oe",
        'ŕ' | 'ŗ' | 'ř' | 'Ŕ' | 'Ŗ' | 'Ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' | 'Ś' | 'Ŝ' | 'Ş' | 'Š' | 'Ș' => "s",
        'ß' => "ss",
        'ţ' | 'ť' | 'ŧ' | 'ț' | 'Ţ' | 'Ť' | 'Ŧ' | 'Ț' => "t",
        'þ' | 'Þ' => "th",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' | 'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ũ'
        | 'Ū' | 'Ŭ' | 'Ů' | 'Ű' | 'Ų' => "u",
        'ŵ' | 'Ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' | 'Ý' | 'Ÿ' | 'Ŷ' => "y",
        'ź' | 'ż' | 'ž' | 'Ź' | 'Ż' | 'Ž' => "z",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn legal_forms_of_every_kit_country_are_stripped() {
        // gen.py's LEGAL_SUFFIX_BY_COUNTRY, each after "Stone Path".
        for suffix in [
            ", Inc.",
            " Inc.",
            " Ltd",
            " GmbH",
            " S.A.",
            " B.V.",
            " S.L.",
            " AB",
            " S.p.A.",
            " Sp. z o.o.",
            " AG",
            " LLC",
            " (Pty) Ltd",
            " Pty Ltd",
            " K.K.",
            " Pvt. Ltd.",
            " Pte. Ltd.",
            " Co., Ltd.",
            " Limited",
            " Ltda.",
            " S.A. de C.V.",
            " S.R.L.",
            " SpA",
            " S.A.S.",
        ] {
            assert_eq!(
                normalise(&format!("Stone Path{suffix}")),
                "stone path",
                "{suffix}"
            );
        }
    }

    #[test]
    fn case_accents_punctuation_and_and_are_folded() {
        assert_eq!(normalise("NORTHWIND TRADERS"), "northwind traders");
        assert_eq!(normalise("Société Générale"), "societe generale");
        assert_eq!(normalise("Müller & Söhne GmbH"), "muller sohne");
        assert_eq!(normalise("Müller and Söhne"), "muller sohne");
        assert_eq!(normalise("Pixelgrid \"Labs\""), "pixelgrid labs");
        assert_eq!(normalise("O'Brien-Smith Ltd."), "obrien smith");
        assert_eq!(normalise("The Oak Group"), "oak group");
        assert_eq!(normalise("Straße"), "strasse");
    }

    #[test]
    fn a_name_that_is_only_a_legal_form_keeps_it() {
        assert_eq!(normalise("Ltd"), "ltd");
        assert_eq!(normalise("Co., Ltd."), "co");
        assert_eq!(normalise("The"), "the");
    }

    #[test]
    fn descriptors_that_are_not_legal_forms_stay() {
        assert_eq!(normalise("Northwind Holdings"), "northwind holdings");
        assert_eq!(normalise("Northwind Group"), "northwind group");
    }

    #[test]
    fn nothing_left_is_empty() {
        assert_eq!(normalise(""), "");
        assert_eq!(normalise(" - & . "), "");
    }

    #[test]
    fn other_scripts_are_kept_lower_cased() {
        assert_eq!(normalise("山田 Trading"), "山田 trading");
        assert_eq!(normalise("ΑΒΓ Corp"), "αβγ");
    }
}
