# expect: MI201 MI304
# why: Endpoint copied into a variable, both URI parts expanded with $(...), the response decoded from RawContentStream bytes and piped to ConvertFrom-Json, the token then passed to Connect-MgGraph.
<#
    Weekly report of licensed accounts that have not signed in for a while.
#>
param(
    [int] $InactiveDays = 60
)

$authUri = $env:IDENTITY_ENDPOINT
$graphResource = "https://graph.microsoft.com/"
$tokenResponse = [System.Text.Encoding]::UTF8.GetString((Invoke-WebRequest -UseBasicParsing -Uri "$($authUri)?resource=$($graphResource)&api-version=2019-08-01" -Method 'GET' -Headers @{ 'X-IDENTITY-HEADER' = "$env:IDENTITY_HEADER"; 'Metadata' = 'True' }).RawContentStream.ToArray()) | ConvertFrom-Json
$graphToken = $tokenResponse.access_token
Connect-MgGraph -AccessToken ($graphToken | ConvertTo-SecureString -AsPlainText -Force) -NoWelcome

$cutoff = (Get-Date).AddDays(-$InactiveDays)
$users = Get-MgUser -All -Filter 'assignedLicenses/$count ne 0' -ConsistencyLevel eventual -CountVariable licensedCount `
    -Property Id, UserPrincipalName, SignInActivity
$idle = $users | Where-Object {
    $_.SignInActivity.LastSignInDateTime -and $_.SignInActivity.LastSignInDateTime -lt $cutoff
}
foreach ($user in $idle) {
    Write-Output ("{0} last signed in {1:yyyy-MM-dd}" -f $user.UserPrincipalName, $user.SignInActivity.LastSignInDateTime)
}
Write-Output "$(@($idle).Count) of $licensedCount licensed account(s) idle for more than $InactiveDays days"
