# expect: MI302 MI301
# why: The "ensure beta" idiom reads the profile and switches only when it is not beta; the whole idiom goes, with its comment, and the beta cmdlets are renamed as for a top-level switch.
Connect-MgGraph -Identity -NoWelcome

$cutoff = (Get-Date).AddDays(-90).ToString('yyyy-MM-ddTHH:mm:ssZ')
$inactive = Get-MgBetaUser -All -Filter "signInActivity/lastSignInDateTime le $cutoff" -Property DisplayName, UserPrincipalName, SignInActivity
foreach ($user in $inactive) {
    Write-Output ("{0} last signed in {1}" -f $user.UserPrincipalName, $user.SignInActivity.LastSignInDateTime)
}
