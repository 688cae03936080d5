# expect: MI101 MI104 MI104 MI105 MI106 MI106 MI106
# why: ADAL token built by hand from the Run As certificate (ClientAssertionCertificate, AuthenticationContext, AcquireToken), with tenant/app id read off the connection.
$runAs = Get-AutomationConnection -Name 'AzureRunAsConnection'
$tenantId = $runAs.TenantId
$applicationId = $runAs.ApplicationId
$runAsCert = Get-AutomationCertificate -Name 'AzureRunAsCertificate'

$authority = "https://login.microsoftonline.com/$tenantId"
$resource = 'https://management.core.windows.net/'

$assertion = New-Object -TypeName Microsoft.IdentityModel.Clients.ActiveDirectory.ClientAssertionCertificate -ArgumentList $applicationId, $runAsCert
$authContext = [Microsoft.IdentityModel.Clients.ActiveDirectory.AuthenticationContext]::new($authority)
$authResult = $authContext.AcquireToken($resource, $assertion)

$headers = @{ Authorization = $authResult.CreateAuthorizationHeader() }
$subs = (Invoke-RestMethod -Uri 'https://management.azure.com/subscriptions?api-version=2022-12-01' -Headers $headers).value
foreach ($sub in $subs) {
    Write-Output ("{0}  {1}  {2}" -f $sub.subscriptionId, $sub.state, $sub.displayName)
}
