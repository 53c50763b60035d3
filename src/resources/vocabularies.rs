//! Controlled vocabularies: each is an enum (checked by serde, documented in OpenAPI with
//! its codes) with English labels; the seed copies them into `vocabulary_terms`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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

/// Every vocabulary as `(name, [(code, label)])`, in the order `/vocabularies` lists them.
pub fn all() -> Vec<(&'static str, Vec<(&'static str, &'static str)>)> {
    macro_rules! terms {
        ($t:ty) => {
            (
                <$t>::VOCABULARY,
                <$t>::ALL
                    .iter()
                    .map(|v| (v.as_str(), v.label()))
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
