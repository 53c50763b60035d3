//! Controlled vocabularies: each is an enum (checked by serde, documented in OpenAPI with
//! its codes) with its English labels here and one label file per language in `labels/`
//! (`<tag>.tsv`); the seed copies them into `vocabulary_terms`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::texts::Texts;

macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident, $vocabulary:literal, { $($variant:ident => ($code:literal, $label:literal)),+ $(,)? }) => {
        $(#[$meta])*
        // Codes are the snake_case variant names; `rename_all` (unlike a per-variant rename
        // through a macro fragment) is also what utoipa reads for the documented enum.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $(
                #[doc = $label]
                $variant,
            )+
        }

        impl $name {
            /// Every term, in display order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The vocabulary's name in `/vocabularies`.
            pub const VOCABULARY: &'static str = $vocabulary;

            /// The stored and serialised code.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The English label.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// The term with this code.
            pub fn parse(code: &str) -> Option<$name> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }
        }
    };
}

vocabulary!(
    /// The four activity areas of the Digital Skills and Jobs Coalition.
    ActivityArea, "activity_areas", {
        DigitalSkillsForAll => ("digital_skills_for_all", "Digital skills for all citizens"),
        LabourForce => ("labour_force", "Digital skills for the labour force"),
        IctProfessionals => ("ict_professionals", "Digital skills for ICT professionals"),
        Education => ("education", "Digital skills in education"),
    }
);

vocabulary!(
    /// Cross-cutting themes of initiatives and events.
    Theme, "themes", {
        WomenInIct => ("women_in_ict", "Women in ICT"),
        YouthAndCareers => ("youth_and_careers", "Youth and careers in tech"),
        NationalStrategy => ("national_strategy", "National strategic plans"),
        InHouseTraining => ("in_house_training", "In-house digital training"),
        UpskillingReskilling => ("upskilling_reskilling", "Upskilling and reskilling"),
        Smes => ("smes", "SMEs"),
        DigitalInclusion => ("digital_inclusion", "Digital inclusion"),
        Cybersecurity => ("cybersecurity", "Cybersecurity"),
        DataAndAi => ("data_and_ai", "Data and artificial intelligence"),
        Coding => ("coding", "Coding and computational thinking"),
        Certification => ("certification", "Skills certification and recognition"),
    }
);

vocabulary!(
    /// Groups of people an initiative is for.
    TargetGroup, "target_groups", {
        Citizens => ("citizens", "Citizens"),
        Pupils => ("pupils", "School pupils"),
        Students => ("students", "Students"),
        Teachers => ("teachers", "Teachers and educators"),
        Employees => ("employees", "Employees"),
        Unemployed => ("unemployed", "Unemployed people and jobseekers"),
        IctProfessionals => ("ict_professionals", "ICT professionals"),
        WomenAndGirls => ("women_and_girls", "Women and girls"),
        Youth => ("youth", "Young people"),
        Seniors => ("seniors", "Older people"),
        Smes => ("smes", "SMEs and entrepreneurs"),
        PublicServants => ("public_servants", "Public servants"),
        DisadvantagedGroups => ("disadvantaged_groups", "Disadvantaged groups"),
    }
);

vocabulary!(
    /// Sectors of organisations.
    Sector, "sectors", {
        Public => ("public", "Public authority"),
        Private => ("private", "Private company"),
        Ngo => ("ngo", "Non-governmental organisation"),
        Education => ("education", "Education and training provider"),
        Research => ("research", "Research organisation"),
        SocialPartner => ("social_partner", "Social partner"),
        International => ("international", "International organisation"),
        Other => ("other", "Other"),
    }
);

vocabulary!(
    /// Lifecycle of a coalition.
    CoalitionStatus, "coalition_statuses", {
        Planned => ("planned", "Planned"),
        InEstablishment => ("in_establishment", "In establishment"),
        Established => ("established", "Established"),
        Inactive => ("inactive", "Inactive"),
    }
);

vocabulary!(
    /// Roles of organisations in a coalition.
    MembershipRole, "membership_roles", {
        Coordinator => ("coordinator", "Coordinator"),
        Member => ("member", "Member"),
        Observer => ("observer", "Observer"),
        Partner => ("partner", "Partner"),
    }
);

vocabulary!(
    /// Kinds of trainings and events.
    EventKind, "event_kinds", {
        Training => ("training", "Training"),
        Workshop => ("workshop", "Workshop"),
        Webinar => ("webinar", "Webinar"),
        Conference => ("conference", "Conference"),
        StudyVisit => ("study_visit", "Study visit"),
    }
);

vocabulary!(
    /// How an event is held.
    EventFormat, "event_formats", {
        Online => ("online", "Online"),
        InPerson => ("in_person", "In person"),
        Hybrid => ("hybrid", "Hybrid"),
    }
);

vocabulary!(
    /// Progress of an initiative.
    InitiativeStatus, "initiative_statuses", {
        Planned => ("planned", "Planned"),
        Ongoing => ("ongoing", "Ongoing"),
        Completed => ("completed", "Completed"),
    }
);

vocabulary!(
    /// Geographic reach of an initiative.
    Sphere, "spheres", {
        Local => ("local", "Local"),
        Regional => ("regional", "Regional"),
        National => ("national", "National"),
        International => ("international", "International"),
    }
);

vocabulary!(
    /// Roles of organisations in an initiative.
    ParticipationRole, "participation_roles", {
        Lead => ("lead", "Lead"),
        Partner => ("partner", "Partner"),
        Funder => ("funder", "Funder"),
    }
);

vocabulary!(
    /// Whether content is public.
    Publication, "publication_states", {
        Draft => ("draft", "Draft"),
        Published => ("published", "Published"),
    }
);

impl Publication {
    /// The state new content starts in.
    pub fn draft() -> Publication {
        Publication::Draft
    }
}

vocabulary!(
    /// Groups countries belong to.
    CountryGroup, "country_groups", {
        Eu => ("eu", "European Union member state"),
        EasternPartnership => ("eastern_partnership", "Eastern Partnership country"),
        Eea => ("eea", "European Economic Area"),
        Candidate => ("candidate", "EU candidate country"),
        Efta => ("efta", "European Free Trade Association"),
    }
);

/// The vocabularies whose labels are translated into every default accepted language (the
/// others are English only).
pub const TRANSLATED: &[&str] = &[
    "activity_areas",
    "sectors",
    "coalition_statuses",
    "membership_roles",
    "event_kinds",
    "event_formats",
];

/// The label files, one per language: `vocabulary<TAB>code<TAB>label` lines (`#` comments).
const LABEL_FILES: &[(&str, &str)] = &[
    ("bg", include_str!("labels/bg.tsv")),
    ("cs", include_str!("labels/cs.tsv")),
    ("da", include_str!("labels/da.tsv")),
    ("de", include_str!("labels/de.tsv")),
    ("el", include_str!("labels/el.tsv")),
    ("es", include_str!("labels/es.tsv")),
    ("et", include_str!("labels/et.tsv")),
    ("fi", include_str!("labels/fi.tsv")),
    ("fr", include_str!("labels/fr.tsv")),
    ("ga", include_str!("labels/ga.tsv")),
    ("hr", include_str!("labels/hr.tsv")),
    ("hu", include_str!("labels/hu.tsv")),
    ("it", include_str!("labels/it.tsv")),
    ("lt", include_str!("labels/lt.tsv")),
    ("lv", include_str!("labels/lv.tsv")),
    ("mt", include_str!("labels/mt.tsv")),
    ("nl", include_str!("labels/nl.tsv")),
    ("pl", include_str!("labels/pl.tsv")),
    ("pt", include_str!("labels/pt.tsv")),
    ("ro", include_str!("labels/ro.tsv")),
    ("sk", include_str!("labels/sk.tsv")),
    ("sl", include_str!("labels/sl.tsv")),
    ("sv", include_str!("labels/sv.tsv")),
    ("hy", include_str!("labels/hy.tsv")),
    ("az", include_str!("labels/az.tsv")),
    ("be", include_str!("labels/be.tsv")),
    ("ka", include_str!("labels/ka.tsv")),
    ("uk", include_str!("labels/uk.tsv")),
    ("ru", include_str!("labels/ru.tsv")),
];

/// A term's labels: the English one and every language file's.
pub fn labels(vocabulary: &str, code: &str, english: &str) -> Texts {
    let mut labels = Texts::one("en", english);
    for (language, file) in LABEL_FILES {
        let found = file
            .lines()
            .filter(|line| !line.starts_with('#'))
            .filter_map(|line| {
                let mut parts = line.split('\t');
                Some((parts.next()?, parts.next()?, parts.next()?))
            })
            .find(|(v, c, _)| *v == vocabulary && *c == code);
        if let Some((_, _, label)) = found {
            labels.0.insert(language.to_string(), label.trim().to_string());
        }
    }
    labels
}

/// Every vocabulary as `(name, [(code, labels)])`, in the order `/vocabularies` lists them.
pub fn all() -> Vec<(&'static str, Vec<(&'static str, Texts)>)> {
    macro_rules! terms {
        ($t:ty) => {
            (
                <$t>::VOCABULARY,
                <$t>::ALL
                    .iter()
                    .map(|v| (v.as_str(), labels(<$t>::VOCABULARY, v.as_str(), v.label())))
                    .collect::<Vec<_>>(),
            )
        };
    }
    vec![
        terms!(ActivityArea),
        terms!(Theme),
        terms!(TargetGroup),
        terms!(Sector),
        terms!(CoalitionStatus),
        terms!(MembershipRole),
        terms!(EventKind),
        terms!(EventFormat),
        terms!(InitiativeStatus),
        terms!(Sphere),
        terms!(ParticipationRole),
        terms!(Publication),
        terms!(CountryGroup),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    macro_rules! codes_match_serde {
        ($($t:ty),*) => {$(
            for term in <$t>::ALL {
                assert_eq!(serde_json::to_value(term).unwrap(), serde_json::json!(term.as_str()));
                assert_eq!(<$t>::parse(term.as_str()), Some(*term));
            }
        )*};
    }

    #[test]
    fn translated_vocabularies_have_a_label_in_every_default_language() {
        let languages = crate::texts::Languages::default();
        for (vocabulary, terms) in all() {
            for (code, labels) in terms {
                if TRANSLATED.contains(&vocabulary) {
                    for tag in languages.tags() {
                        assert!(
                            labels.get(tag).is_some_and(|l| !l.is_empty()),
                            "{vocabulary} {code} {tag}"
                        );
                    }
                } else {
                    assert_eq!(labels.0.len(), 1, "{vocabulary} {code}: English only");
                }
            }
        }
        // Every line of every file names a known term.
        let known: Vec<(&str, &str)> = all()
            .iter()
            .flat_map(|(v, terms)| terms.iter().map(move |(c, _)| (*v, *c)))
            .collect();
        for (language, file) in LABEL_FILES {
            for line in file.lines().filter(|l| !l.starts_with('#')) {
                let parts: Vec<&str> = line.split('\t').collect();
                assert_eq!(parts.len(), 3, "{language}: {line}");
                assert!(known.contains(&(parts[0], parts[1])), "{language}: {line}");
            }
        }
    }

    #[test]
    fn codes_are_what_serde_reads_and_writes() {
        codes_match_serde!(
            ActivityArea,
            Theme,
            TargetGroup,
            Sector,
            CoalitionStatus,
            MembershipRole,
            EventKind,
            EventFormat,
            InitiativeStatus,
            Sphere,
            ParticipationRole,
            Publication,
            CountryGroup
        );
    }
}
